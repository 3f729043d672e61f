// What must never leave the cluster dump: labels and annotations that look like credentials, and
// bookkeeping annotations that can embed whole manifests (cloud-init user data included).

/** kubectl apply's copy of the last applied manifest: may contain cloud-init userData or secrets. */
const MANIFEST_COPIES = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

const CREDENTIAL_KEY = /pass(word|wd|phrase)?|secret|token|credential|api[-_.]?key|private[-_.]?key|auth|ssh|cert|user[-_.]?data|cloud[-_.]?init|kubeconfig|bearer/i;

/** JWTs, PEM blocks, ssh keys, long base64 or hex blobs. */
const CREDENTIAL_VALUE = /^eyJ[A-Za-z0-9_-]{10,}|-----BEGIN |^ssh-(rsa|ed25519|dss) |^ecdsa-sha2-|^[A-Za-z0-9+/]{40,}={0,2}$|^[0-9a-f]{40,}$/i;

export function looksLikeCredential(key: string, value: string): boolean {
  return CREDENTIAL_KEY.test(key) || CREDENTIAL_VALUE.test(value.trim());
}

/**
 * Copies a label or annotation map without anything secret-looking, manifest copies, or values
 * longer than `maxValue` characters (an embedded document, not a marker); `dropped` counts why.
 */
export function safeMap(
  m: unknown,
  dropped: (key: string, why: string) => void,
  maxValue = 253,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof m !== 'object' || m === null) return out;
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    const value = typeof v === 'string' ? v : String(v);
    if (MANIFEST_COPIES.has(k)) dropped(k, 'a copy of a manifest (may hold cloud-init user data)');
    else if (looksLikeCredential(k, value)) dropped(k, 'looks like a credential');
    else if (value.length > maxValue) dropped(k, `value longer than ${maxValue} characters`);
    else out[k] = value;
  }
  return out;
}
