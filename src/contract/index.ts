/**
 * The job contract: shapes, names and pure rules shared by the workflow, the activities, the
 * jobs client and the faces. No Node or Temporal runtime imports: safe in the workflow sandbox.
 */
export * from './job';
export * from './constants';
export * from './search-attributes';
export * from './visibility';
export * from './question';
export * from './status';
export * from './follow';
export * from './budget';
export * from './usage';
export * from './job-error-codes';
export * from './error-codes';
export * from './callback';
export * from './batch';
