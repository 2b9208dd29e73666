/**
 * History <-> Temporal's standard JSON (the format of `temporal workflow show --output json` and
 * the Web UI's download).
 *
 * Not `historyToJSON`/`historyFromJSON` of `@temporalio/common`: with this lockfile npm cannot
 * hoist protobufjs 8 (the root slot holds the 7.x that grpc and @google/genai need), so
 * `@temporalio/common` and `@temporalio/proto` each get their own copy, and the SDK functions fail
 * with "type must be a Type" (an instanceof across the two copies). Using the protobufjs copy that
 * `@temporalio/proto` itself resolves works whether or not npm dedupes.
 */
import { dirname } from 'node:path';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
interface LookupRoot {
  lookupType(name: string): unknown;
}

const protoDir = dirname(require.resolve('@temporalio/proto'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot<T>(root: T): T & LookupRoot };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const historyType = patchProtobufRoot(require('@temporalio/proto') as object).lookupType('temporal.api.history.v1.History');

/** A fetched history as pretty-printed standard JSON. */
export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Parses standard JSON history text (unknown fields from newer servers are ignored). */
export function historyFromJson(text: string): temporal.api.history.v1.History {
  const parsed = protojson.fromJson(historyType, JSON.parse(text), { ignoreUnknownFields: true });
  if (!parsed) throw new Error('not a Temporal history JSON document');
  return parsed as temporal.api.history.v1.History;
}
