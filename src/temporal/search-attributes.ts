/**
 * The job search attributes must exist in the namespace before a job runs: the workflow upserts
 * them itself, and an upsert of an attribute the namespace lacks fails every workflow task. The
 * worker checks at start and refuses to run on a namespace that lacks one, with the command that
 * registers it.
 */
import { GeminiJobsError } from '../common/errors';
import { SEARCH_ATTRIBUTE_NAMES } from '../contract/search-attributes';

/** The namespace lacks the job search attributes; the message says how to register them. */
export class SearchAttributesMissingError extends GeminiJobsError<'search_attributes_missing'> {
  constructor(
    readonly namespace: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'search_attributes_missing',
      `${detail}. Register the job search attributes in namespace ${namespace} first: ` +
        Object.values(SEARCH_ATTRIBUTE_NAMES)
          .map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`)
          .join('; ') +
        '. `gemini-jobs dev`, scripts/cluster.mjs and docker-compose.yml do this for you.',
      options,
    );
  }
  protected override jsonFields(): Record<string, unknown> {
    return { namespace: this.namespace };
  }
}

/** What `listSearchAttributes` needs: a connection's operator service. */
export interface OperatorServiceLike {
  listSearchAttributes(request: { namespace: string }): Promise<{ customAttributes?: Record<string, unknown> | null }>;
}

/**
 * The job search attributes `namespace` lacks (empty when all are there), or undefined when the
 * server would not say (for example a role without operator rights): then nothing is known.
 */
export async function missingSearchAttributes(operator: OperatorServiceLike, namespace: string): Promise<string[] | undefined> {
  let custom: Record<string, unknown>;
  try {
    custom = (await operator.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch {
    return undefined;
  }
  return Object.values(SEARCH_ATTRIBUTE_NAMES).filter((name) => !(name in custom));
}
