import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider storage for one emulator: plain Maps, no eviction (oidc-provider's own memory
 * adapter is an LRU of 1,000 entries shared by the whole process, which a load test overflows).
 * Expired entries are dropped when read.
 */
export class EmulatorStore {
  /** By `<model>:<id>`. */
  readonly entries = new Map<string, Entry>();
  /** The keys of the tokens and codes issued under each grant. */
  readonly grants = new Map<string, Set<string>>();
  readonly uids = new Map<string, string>();

  adapterFor = (model: string): Adapter => new EmulatorAdapter(model, this);

  /** The ids and payloads of one model's entries for the account, oldest first (expired ones too). */
  entriesOf(model: string, accountId: string): [id: string, payload: AdapterPayload][] {
    const prefix = `${model}:`;
    return [...this.entries]
      .filter(([key, entry]) => key.startsWith(prefix) && entry.payload.accountId === accountId)
      .map(([key, entry]) => [key.slice(prefix.length), entry.payload]);
  }
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

class EmulatorAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: EmulatorStore,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.store.entries.set(key, { payload, expiresAt });
    if (this.model === 'Session' && typeof payload.uid === 'string')
      this.store.uids.set(payload.uid, id);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const members = this.store.grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.store.grants.set(payload.grantId, members);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const key = this.key(id);
    const entry = this.store.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.store.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.uids.get(uid);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.store.entries.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.store.grants.get(grantId) ?? []) this.store.entries.delete(key);
    this.store.grants.delete(grantId);
  }
}
