'use client';
import type { Notice } from '../base/notices';
import { useApp, useStore } from './hooks';

/** Live regions: info is announced politely, errors assertively. */
export function NoticeList() {
  const app = useApp();
  const notices = useStore(app.notices);
  const dismiss = (id: Notice['id']) => app.notices.dismiss(id);
  return (
    <div className="notices">
      <div role="status" aria-live="polite" className="notice-stack">
        <NoticeItems notices={notices.filter((n) => n.kind === 'info')} onDismiss={dismiss} />
      </div>
      <div role="alert" className="notice-stack">
        <NoticeItems notices={notices.filter((n) => n.kind === 'error')} onDismiss={dismiss} />
      </div>
    </div>
  );
}

function NoticeItems({
  notices,
  onDismiss,
}: {
  notices: readonly Notice[];
  onDismiss: (id: Notice['id']) => void;
}) {
  return notices.map((notice) => (
    <div key={notice.id} className={`notice notice-${notice.kind}`}>
      <span>{notice.text}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        onClick={() => onDismiss(notice.id)}
      >
        ×
      </button>
    </div>
  ));
}
