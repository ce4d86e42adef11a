import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import amqp from 'amqplib';
import { LANES } from '../../src/domain/signal.js';
import { jetStreamNames, natsServers } from '../../src/queue/nats/index.js';
import { rabbitMqTopology } from '../../src/queue/rabbitmq/index.js';

/** Deletes the streams a test's prefix created on a NATS server it shares with others, and nothing else. */
export async function deleteNatsStreams(servers: string, prefix: string): Promise<void> {
  const nc = await connectNats({ servers: natsServers(servers), reconnect: false }).catch(() => undefined);
  if (!nc) return;
  try {
    const jsm = await jetstreamManager(nc);
    const names = jetStreamNames(prefix);
    for (const stream of [...LANES.map((lane) => names.laneStream(lane)), names.deadLetterStream]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

/** Deletes the queues and exchange a test's prefix created on a shared RabbitMQ, and nothing else. */
export async function deleteRabbitMqQueues(url: string, prefix: string): Promise<void> {
  const connection = await amqp.connect(url).catch(() => undefined);
  if (!connection) return;
  try {
    const channel = await connection.createChannel();
    const topology = rabbitMqTopology(prefix);
    for (const lane of LANES) {
      await channel.deleteQueue(topology.laneQueue(lane)).catch(() => undefined);
      await channel.deleteQueue(topology.deadLetterQueue(lane)).catch(() => undefined);
    }
    await channel.deleteExchange(topology.deadLetterExchange).catch(() => undefined);
    await channel.close().catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
