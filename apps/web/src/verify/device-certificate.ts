// One DTLS certificate per browser profile, kept in IndexedDB (an RTCCertificate is
// structured-cloneable: https://w3c.github.io/webrtc-pc/#dom-rtccertificate). Every
// connection presents it, so the people you call see the same fingerprint each time and a
// change means a new device, another browser or cleared site data.

const DATABASE = 'openwcall-verify';
const STORE = 'certificates';
const KEY = 'device';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Chromium caps `expires` at a year (asking for more silently gives 365 days). */
export const CERTIFICATE_LIFETIME_MS = 365 * DAY_MS;
// Renewed a week before it runs out, so no call starts on a certificate about to expire.
const RENEW_BEFORE_MS = 7 * DAY_MS;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  const open = factory.open(DATABASE, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  return request(open);
}

async function loadOrCreate(factory: IDBFactory): Promise<RTCCertificate> {
  const db = await openDatabase(factory);
  try {
    const stored: unknown = await request(db.transaction(STORE).objectStore(STORE).get(KEY));
    if (stored instanceof RTCCertificate && stored.expires - Date.now() > RENEW_BEFORE_MS) {
      return stored;
    }
    const fresh = await RTCPeerConnection.generateCertificate({
      name: 'ECDSA',
      namedCurve: 'P-256',
      expires: CERTIFICATE_LIFETIME_MS,
    } as EcKeyGenParams);
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(fresh, KEY));
    return fresh;
  } finally {
    db.close();
  }
}

/**
 * The device certificate, loaded once per page. `current` is null until IndexedDB answered
 * (a few milliseconds, long before sign-in and joining finish) or where there is no IndexedDB
 * (private modes): such connections use a certificate the browser makes for them, and the
 * other side sees "new device".
 */
export class DeviceCertificate {
  private certificate: RTCCertificate | null = null;
  readonly ready: Promise<void>;

  constructor(onError: (error: unknown) => void) {
    this.ready =
      typeof indexedDB === 'undefined' || typeof RTCPeerConnection === 'undefined'
        ? Promise.resolve()
        : loadOrCreate(indexedDB).then(
            (certificate) => {
              this.certificate = certificate;
            },
            (error: unknown) => onError(error),
          );
  }

  get current(): RTCCertificate | null {
    return this.certificate;
  }
}
