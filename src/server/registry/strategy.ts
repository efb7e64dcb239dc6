// What differs between kinds, and nothing else: the API server's RESTCreateStrategy /
// RESTUpdateStrategy / TableConvertor for one resource. The generic registry (genericRegistry.ts)
// does the rest (reading bodies, names, uids, resourceVersions, conflicts, patches, watches,
// selectors, dry runs, durability) the same way for every kind.
import type { FieldError } from '../../api/fieldErrors.js';
import type { TableKind } from '../../api/printers/tables.js';
import type { FieldGetter } from '../../api/selectors/fields.js';
import type { AgentConfig } from '../../kubelet/config.js';
import type { ApiObject, ObjectStore } from '../../store/objectStore.js';
import type { MergeKeys } from '../patch/strategicMerge.js';

/** What a strategy may consult. */
export interface StrategyContext {
  config: AgentConfig;
  store: ObjectStore;
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

  /** Defaulting and the kind's own normalisation (Secret stringData), before validation. */
  prepareForCreate?(obj: ApiObject, ctx: StrategyContext): ApiObject;
  validate(obj: ApiObject, ctx: StrategyContext): FieldError[];
  /**
   * Side effects a create needs once it is valid (a Service's cluster IP and node ports); returns
   * the object to store or throws the API error. Must be undone by `release` when the store fails.
   */
  allocate?(obj: ApiObject, ctx: StrategyContext): ApiObject;
  prepareForUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): ApiObject;
  validateUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): FieldError[];
  /** An update's allocations (a Service changed to NodePort); returns the object to store. */
  allocateUpdate?(next: ApiObject, old: ApiObject, ctx: StrategyContext): ApiObject;
  /** Gives back what `obj` holds that `keep` (the object that stays, if any) does not. */
  release?(obj: ApiObject, keep: ApiObject | undefined, ctx: StrategyContext): void;
}
