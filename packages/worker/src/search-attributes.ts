import { isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ENV, messageOf } from '@duban/common';
import { dubanSearchAttributes } from '@duban/workflows';
import { DubanWorkerError, WorkerErrorCode } from './errors';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
type IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_VALUE_TYPES: Record<SearchAttributeType, IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** What `defineSearchAttributeKey` returns, as far as registration needs it. */
export interface SearchAttributeDefinition {
  name: string;
  type: SearchAttributeType;
}

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

/** Anything with Temporal's operator service: a client `Connection` or a worker `NativeConnection`. */
export interface OperatorConnection {
  operatorService: Pick<temporal.api.operatorservice.v1.OperatorService, 'listSearchAttributes' | 'addSearchAttributes'>;
}

export interface EnsureSearchAttributesResult {
  /** Names this call registered. */
  added: string[];
  /** Names that were already registered with the right type. */
  present: string[];
}

/**
 * Registers duban's search attributes (by default the workflow package's
 * `dubanSearchAttributes`) on `namespace`, so the task workflows can upsert them and
 * the web UI can filter by them. Safe to call on every start: attributes already
 * registered with the right type are left alone, and a concurrent registration by
 * another worker ("already exists") counts as success.
 *
 * @throws DubanWorkerError `SEARCH_ATTRIBUTE_TYPE_MISMATCH` when a name is taken with
 *   another type; `SEARCH_ATTRIBUTES_UNAVAILABLE` when the server refuses (e.g.
 *   Temporal Cloud, where search attributes are managed in the Cloud UI or `tcld`).
 */
export async function ensureSearchAttributes(
  connection: OperatorConnection,
  namespace: string,
  keys: ReadonlyArray<SearchAttributeDefinition> = dubanSearchAttributes,
): Promise<EnsureSearchAttributesResult> {
  let existing: Record<string, IndexedValueType>;
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    existing = { ...(listed.systemAttributes ?? {}), ...(listed.customAttributes ?? {}) };
  } catch (err) {
    throw unavailable(namespace, 'list', err);
  }

  const present: string[] = [];
  const missing: Record<string, IndexedValueType> = {};
  for (const key of keys) {
    const wanted = INDEXED_VALUE_TYPES[key.type];
    const found = existing[key.name];
    if (found === undefined) missing[key.name] = wanted;
    else if (found === wanted) present.push(key.name);
    else {
      throw new DubanWorkerError(
        WorkerErrorCode.SEARCH_ATTRIBUTE_TYPE_MISMATCH,
        `Search attribute ${key.name} exists in namespace ${namespace} as ${IndexedValueType[found] ?? found}, ` +
          `but duban needs ${key.type}. Use another namespace, or remove the attribute (temporal operator search-attribute remove).`,
        { details: { namespace, name: key.name, found: IndexedValueType[found] ?? found, wanted: key.type } },
      );
    }
  }

  const added = Object.keys(missing);
  if (added.length === 0) return { added, present };
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // Another worker registered them between our list and add.
    if (isGrpcServiceError(err) && err.code === ALREADY_EXISTS) return { added: [], present: [...present, ...added] };
    throw unavailable(namespace, 'add', err);
  }
  return { added, present };
}

function unavailable(namespace: string, doing: 'list' | 'add', err: unknown): DubanWorkerError {
  return new DubanWorkerError(
    WorkerErrorCode.SEARCH_ATTRIBUTES_UNAVAILABLE,
    `Could not ${doing} search attributes in namespace ${namespace}: ${messageOf(err)}. ` +
      'Register them yourself (temporal operator search-attribute create, or --search-attribute on the dev server), ' +
      `or start the worker with ${ENV.registerSearchAttributes}=0 if they are managed elsewhere.`,
    { details: { namespace }, cause: err },
  );
}
