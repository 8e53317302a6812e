/**
 * The task workflow's search attributes, typed, and the list to register on a server.
 * Everything this module exports is public: `@duban/workflows` re-exports it whole, so
 * a new attribute is written here once. (SQL visibility allows 3 Datetime, 3 Int and 10
 * Keyword attributes per namespace.) Importing this module never loads workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const planSearchAttribute = defineSearchAttributeKey('DubanPlan', SearchAttributeType.KEYWORD);
export const taskNumberSearchAttribute = defineSearchAttributeKey('DubanTaskNumber', SearchAttributeType.INT);
export const statusSearchAttribute = defineSearchAttributeKey('DubanStatus', SearchAttributeType.KEYWORD);
export const lightSearchAttribute = defineSearchAttributeKey('DubanLight', SearchAttributeType.KEYWORD);
export const escalationLevelSearchAttribute = defineSearchAttributeKey('DubanEscalationLevel', SearchAttributeType.INT);
export const primaryLeadSearchAttribute = defineSearchAttributeKey('DubanPrimaryLead', SearchAttributeType.KEYWORD);
export const nextDeadlineSearchAttribute = defineSearchAttributeKey('DubanNextDeadline', SearchAttributeType.DATETIME);

/** Register these on a server before running tasks (e.g. `temporal server start-dev --search-attribute`). */
export const dubanSearchAttributes = [
  planSearchAttribute,
  taskNumberSearchAttribute,
  statusSearchAttribute,
  lightSearchAttribute,
  escalationLevelSearchAttribute,
  primaryLeadSearchAttribute,
  nextDeadlineSearchAttribute,
] as const;
