/** How one downstream service behaves right now: its own latency plus whatever fault chaos injected. */
export interface InjectedFault {
  latencyMs: number;
  /** Share of requests answered 503, 0..1. */
  errorRate: number;
}

export const DOWNSTREAM_SERVICES = ['service-c', 'service-b', 'service-a'] as const;
export type DownstreamServiceName = (typeof DOWNSTREAM_SERVICES)[number];

export class ServiceBehaviour {
  private fault: InjectedFault = { latencyMs: 0, errorRate: 0 };

  constructor(
    readonly service: DownstreamServiceName,
    readonly baseLatencyMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  inject(fault: Partial<InjectedFault>): void {
    this.fault = { ...this.fault, ...fault };
  }

  clear(): void {
    this.fault = { latencyMs: 0, errorRate: 0 };
  }

  get injected(): Readonly<InjectedFault> {
    return this.fault;
  }

  get faulty(): boolean {
    return this.fault.latencyMs > 0 || this.fault.errorRate > 0;
  }

  latencyMs(): number {
    return this.baseLatencyMs + this.fault.latencyMs;
  }

  shouldFail(): boolean {
    return this.fault.errorRate > 0 && this.random() < this.fault.errorRate;
  }
}
