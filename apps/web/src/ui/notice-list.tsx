'use client';
import { useApp, useStore } from './hooks';

/** Live regions: info is announced politely, errors assertively. */
export function NoticeList() {
  const app = useApp();
  const notices = useStore(app.notices);
  const info = notices.filter((n) => n.kind === 'info');
  const errors = notices.filter((n) => n.kind === 'error');
  return (
    <div className="notices">
      <div role="status" aria-live="polite" className="notice-stack">
        {info.map((notice) => (
          <div key={notice.id} className="notice notice-info">
            <span>{notice.text}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss"
              onClick={() => app.notices.dismiss(notice.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      <div role="alert" className="notice-stack">
        {errors.map((notice) => (
          <div key={notice.id} className="notice notice-error">
            <span>{notice.text}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss"
              onClick={() => app.notices.dismiss(notice.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
