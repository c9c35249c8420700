// Ids as Route 53 makes them for hosted zones (`Z…`) and changes (`C…`): upper-case letters and digits.
import { randomBytes } from 'node:crypto';

export function randomId(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return prefix + [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}
