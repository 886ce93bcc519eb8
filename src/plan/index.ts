// The planner's public face: everything outside src/plan imports from here.
export type { Capabilities, Conflict, CurrentSet, Plan, PlanInput, PlanSummary } from './types.ts';
export { makePlan, hasPendingChanges, poolRecordKeys } from './plan.ts';
export { adaptToTarget, SYNCED_SOURCES } from './adapt.ts';
export { diffSets } from './diff.ts';
export { checkSafety, MIN_OWNED_FOR_THRESHOLD } from './safety.ts';
export { renderPlanText, planToJson } from './render.ts';
export { rdataText, valueKey, sameSet, removedValues, addedValues } from './values.ts';
