/** The non-finite values JSON cannot hold, kept as text so "loss NaN" survives result.json. */
export type NonFiniteLoss = 'NaN' | 'Infinity' | '-Infinity';

export function jsonSafeLoss(loss: number): number | NonFiniteLoss {
  return Number.isFinite(loss) ? loss : (String(loss) as NonFiniteLoss);
}
