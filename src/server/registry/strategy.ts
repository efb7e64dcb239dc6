// What differs between kinds, and nothing else: the API server's RESTCreateStrategy /
// RESTUpdateStrategy / TableConvertor for one resource. The generic registry (genericRegistry.ts)
// does the rest (reading bodies, names, uids, resourceVersions, conflicts, patches, watches,
// selectors, dry runs, durability) the same way for every kind.
import type { FieldError } from '../../api/fieldErrors.js';
import type { TableKind } from '../../api/printers/tables.js';
import type { FieldGetter } from '../../api/selectors/fields.js';
import type { AgentConfig } from '../../kubelet/config.js';
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import type { ApiServices } from '../context.js';
import type { MergeKeys } from '../patch/strategicMerge.js';
import type { ObjectStorage, UpdatePart } from './storage.js';

/** What a strategy may consult. */
export interface StrategyContext {
  config: AgentConfig;
  store: ObjectStore;
  /** The API server's services, when the change comes through a request (a kind kept elsewhere needs them). */
  services?: ApiServices;
  /** The request's query, for a kind's own parameters (a Pod's `lenient`). */
  query?: URLSearchParams;
  /** Sends warnings (Warning headers) with the reply. */
  warn?(messages: readonly string[]): void;
}

export interface Strategy {
  /** `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural, lower case: the URL segment. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** The server-side table kubectl get prints; without one, NAME and AGE (the API server's default). */
  tableKind?: TableKind;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  fieldGetter?: FieldGetter<ApiObject>;
  /** Strategic merge patch keys of the kind's lists (undefined: every list is replaced). */
  mergeKeys?: MergeKeys;
  /** The kind has a `status` subresource: updates of the object keep its status, and the reverse. */
  hasStatus?: boolean;
  /** Which verbs clients may use; the default is all of them. */
  readOnly?: boolean;
  /** Deletes take a grace period (DeleteOptions.gracePeriodSeconds, in the body or the query). */
  gracefulDelete?: boolean;
  /**
   * Where the objects live; without it, the object store (storage.ts). A kind kept elsewhere (pods,
   * in the kubelet) gives its own backend.
   */
  storage?(ctx: StrategyContext): ObjectStorage;

  /** Defaulting and the kind's own normalisation (Secret stringData), before validation. */
  prepareForCreate?(obj: ApiObject, ctx: StrategyContext): ApiObject;
  validate(obj: ApiObject, ctx: StrategyContext): FieldError[];
  /**
   * The created object as the client's write made it, before what the server adds for itself (a
   * pod's binding to this node): what the create's field manager owns. Default: all of it.
   */
  clientView?(created: ApiObject, input: ApiObject): ApiObject;
  /**
   * Side effects a create needs once it is valid (a Service's cluster IP and node ports); returns
   * the object to store or throws the API error. Must be undone by `release` when the store fails.
   */
  allocate?(obj: ApiObject, ctx: StrategyContext): ApiObject;
  prepareForUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): ApiObject;
  validateUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): FieldError[];
  /** `validateUpdate` is the whole validation of an update (ValidatePodUpdate): `validate` does not run. */
  validateUpdateOnly?: boolean;
  /** The status subresource: checks the shape of what was sent (throws the 400) and returns the object to store. */
  prepareForStatusUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): ApiObject;
  /** Validation of a status update, instead of `validate` and `validateUpdate`. */
  validateStatusUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): FieldError[];
  /**
   * Whether an update stores the object as it already is (a no-op: no new resourceVersion,
   * nothing announced, the stored object is the reply). The default compares everything but
   * resourceVersion and managedFields.
   */
  unchanged?(next: ApiObject, old: ApiObject, part: UpdatePart): boolean;
  /**
   * The kind has an `ephemeralcontainers` subresource (pods): `prepare` takes from the request only
   * what the subresource may change, `validate` is its whole validation.
   */
  ephemeralContainers?: {
    prepare(next: ApiObject, old: ApiObject): ApiObject;
    validate(next: ApiObject, old: ApiObject): FieldError[];
  };
  /** An update's allocations (a Service changed to NodePort); returns the object to store. */
  allocateUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): ApiObject;
  /** Gives back what `obj` holds that `keep` (the object that stays, if any) does not. */
  release?(obj: ApiObject, keep: ApiObject | undefined, ctx: StrategyContext): void;
}
