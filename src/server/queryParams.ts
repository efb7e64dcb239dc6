// Typed query parameters, read as the API server reads them. Its parameter codec converts url.Values
// into the options structs (ListOptions, PodLogOptions, PodExecOptions, DeleteOptions...) with
// apimachinery's runtime/conversion.go, and that is not Go's strconv.ParseBool:
//   - a bool is false when absent, when its first value is "0", or when it equals "false" in any
//     case ("False", "FALSE"); any other value, "" and "maybe" included, is true. So `watch=True`
//     (the official Python client's casing) is a watch, and `?watch=maybe` is one too, never a 400
//     (the request-info filter decides the verb the same way: requestinfo.go);
//   - an int64 is strconv.ParseInt(s, 10, 64); an error is the request's 400 BadRequest whose
//     message is Go's error text, `strconv.ParseInt: parsing "abc": invalid syntax`.
// Only the first value of a repeated parameter counts. `pretty` is the exception: the serializer
// reads it with strconv.ParseBool and ignores a value it cannot parse (isPrettyPrint).
import type { IncomingMessage } from 'node:http';
import { badRequest } from './status.js';

/** runtime.Convert_Slice_string_To_bool: absent, "0" or (case-insensitively) "false" is false; anything else true. */
export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** strconv.Quote for the ASCII a query holds; other characters are shown as JSON shows them. */
const goQuote = (s: string): string => JSON.stringify(s);

/**
 * Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, nothing else (no spaces,
 * no underscores, no "1e3"), within int64. Throws the error text Go gives.
 */
export function parseGoInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN) throw new Error(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  // Past 2^53 a JavaScript number is approximate; every count or duration that large means "forever" anyway.
  return Number(n);
}

/** An int64 parameter (timeoutSeconds, limit, tailLines, gracePeriodSeconds...), or undefined when absent. */
export function int64Param(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  try {
    return parseGoInt64(v);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

const PARSE_BOOL_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** `?pretty=`: strconv.ParseBool, a value it cannot parse being false (never an error). */
export function wantsPretty(req: IncomingMessage | undefined): boolean {
  const url = req?.url ?? '';
  if (!url.includes('pretty')) return false;
  try {
    return PARSE_BOOL_TRUE.has(new URL(url, 'http://tinylet').searchParams.get('pretty') ?? '');
  } catch {
    return false;
  }
}
