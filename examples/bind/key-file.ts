// Reads a TSIG key in the form `tsig-keygen` prints and named.conf includes:
//   key "fedsvc-key" { algorithm hmac-sha256; secret "base64…"; };
import { ValidationError } from '@fedsvc/core';
import { isTsigAlgorithm, type TsigAlgorithm } from '@fedsvc/dns-rfc2136/wire';

export interface TsigKeyOptions {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  readonly secret: string;
}

const KEY_BLOCK = /^\s*key\s+("([^"]+)"|([^\s{;"]+))\s*\{([^}]*)\}\s*;?\s*$/;
const ALGORITHM = /(?:^|;)\s*algorithm\s+"?([A-Za-z0-9.-]+)"?\s*;/;
const SECRET = /(?:^|;)\s*secret\s+"([^"]*)"\s*;/;

/** `text`: the file's content; `source`: its path, for error messages (the secret is never in one). */
export function parseKeyFile(text: string, source: string): TsigKeyOptions {
  // Comments as named.conf allows them, `#` or `//` to the end of the line, but not inside a
  // quoted string: a base64 secret may hold `//`.
  const body = text.replace(/"[^"\n]*"|(?:#|\/\/)[^\n]*/g, (match) => (match.startsWith('"') ? match : ''));
  const block = KEY_BLOCK.exec(body);
  if (!block)
    throw new ValidationError(
      source,
      '(file content withheld)',
      'must hold one key block as tsig-keygen prints it: key "name" { algorithm …; secret "…"; };',
    );
  const name = block[2] ?? block[3]!;
  const inside = block[4]!;
  const algorithm = ALGORITHM.exec(inside)?.[1]?.toLowerCase();
  if (!isTsigAlgorithm(algorithm))
    throw new ValidationError(`${source}: algorithm`, algorithm, 'must be hmac-sha256, hmac-sha512 or hmac-sha1');
  const secret = SECRET.exec(inside)?.[1];
  if (secret === undefined || secret === '')
    throw new ValidationError(`${source}: secret`, '(secret withheld)', "must be the key's quoted base64 secret");
  return { name, algorithm, secret };
}
