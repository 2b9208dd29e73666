/** Reading patch markers out of a workflow history (what `patched()` recorded). */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** Ids of the history's patch markers (core stores `{"id","deprecated"}` as the marker's payload). */
export function patchIds(history: History): string[] {
  return (history.events ?? []).flatMap((e) =>
    Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
      (d.payloads ?? []).flatMap((p) => {
        const value = JSON.parse(Buffer.from(p.data ?? []).toString('utf8')) as { id?: unknown };
        return typeof value?.id === 'string' ? [value.id] : [];
      }),
    ),
  );
}
