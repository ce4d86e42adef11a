/** One validation problem as the API reports it. */
export interface ValidationIssue {
  field: string;
  message: string;
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Turns ajv's findings into sentences that name the field and what it accepts. */
export function describeValidation(issues: readonly AjvIssue[], context: string): ValidationIssue[] {
  return issues.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const missing =
      typeof issue.params.missingProperty === 'string' ? issue.params.missingProperty : undefined;
    const extra =
      typeof issue.params.additionalProperty === 'string' ? issue.params.additionalProperty : undefined;
    const field = [path, missing ?? extra].filter(Boolean).join('.') || context;
    const allowed = Array.isArray(issue.params.allowedValues)
      ? `: one of ${issue.params.allowedValues.join(', ')}`
      : '';
    const message =
      missing !== undefined
        ? `${field} is required`
        : extra !== undefined
          ? `${field} is not a known field`
          : `${field} ${issue.message ?? 'is invalid'}${allowed}`;
    return { field, message };
  });
}
