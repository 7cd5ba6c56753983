import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: they turn the Temporal UI into the operations dashboard
 * (filter by institution, period, stage, SLA due date…). The dev server registers them at start
 * from `SEARCH_ATTRIBUTE_FLAGS`; never put personal data (CURP, RFC, names) in them.
 */
export const InstitutionClave = defineSearchAttributeKey('InstitutionClave', SearchAttributeType.KEYWORD);
export const Period = defineSearchAttributeKey('Period', SearchAttributeType.KEYWORD);
export const Stage = defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD);
export const BusinessDomain = defineSearchAttributeKey('BusinessDomain', SearchAttributeType.KEYWORD);
export const SubmissionVersion = defineSearchAttributeKey('SubmissionVersion', SearchAttributeType.INT);
export const RowCount = defineSearchAttributeKey('RowCount', SearchAttributeType.INT);
export const RejectedRows = defineSearchAttributeKey('RejectedRows', SearchAttributeType.INT);
export const ProfileId = defineSearchAttributeKey('ProfileId', SearchAttributeType.KEYWORD);
export const Reviewer = defineSearchAttributeKey('Reviewer', SearchAttributeType.KEYWORD);
export const SlaDueAt = defineSearchAttributeKey('SlaDueAt', SearchAttributeType.DATETIME);
export const SlaBreached = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [
  InstitutionClave,
  Period,
  Stage,
  BusinessDomain,
  SubmissionVersion,
  RowCount,
  RejectedRows,
  ProfileId,
  Reviewer,
  SlaDueAt,
  SlaBreached,
];

const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_FLAGS: string[] = ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
