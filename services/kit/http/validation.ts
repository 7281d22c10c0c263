// Request validation with zod: hapi calls the returned function; a failure becomes a 400
// problem whose detail names each bad field, plus an `errors` list for machines.
import type { z } from 'zod';
import { badRequest } from './problems.ts';

export function describeIssues(error: z.ZodError): {
  detail: string;
  errors: { path: string; message: string }[];
} {
  const errors = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  return { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors };
}

export function zodValidator<S extends z.ZodType>(schema: S, what: string) {
  return (value: unknown): z.output<S> => {
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const { detail, errors } = describeIssues(result.error);
    throw badRequest(`Invalid ${what}: ${detail}`, { errors });
  };
}
