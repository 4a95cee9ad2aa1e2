'use client';
import { useEffect, useRef, useState } from 'react';
import { keyLabel } from '../settings/voice-settings';
import { useApp, useStore } from './hooks';

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    target.closest('input:not([type="checkbox"]), textarea, select, [contenteditable="true"]') !==
      null
  );
}

/**
 * While mounted (in a room or a call): holding the push-to-talk key opens the microphone, and
 * the status says whether you are talking. Renders nothing while push to talk is off.
 */
export function PushToTalkStatus() {
  const app = useApp();
  const settings = useStore(app.voiceSettings);
  const transmit = useStore(app.transmit);
  const latest = useRef(settings.pushToTalkKey);
  latest.current = settings.pushToTalkKey;

  useEffect(() => {
    const onDown = (event: KeyboardEvent) => {
      if (event.code !== latest.current || !app.transmit.getSnapshot().pushToTalk) return;
      if (isTyping(event.target)) return;
      // Also keeps Space from pressing the focused button.
      event.preventDefault();
      if (!event.repeat) app.transmit.press();
    };
    const onUp = (event: KeyboardEvent) => {
      if (event.code !== latest.current || !app.transmit.getSnapshot().pushToTalk) return;
      if (!isTyping(event.target)) event.preventDefault();
      app.transmit.release();
    };
    // A key released while another window has focus never reaches us: stop talking on blur.
    const onBlur = () => app.transmit.release();
    // Bubble phase: the key picker below (capture phase) gets a key first and stops it.
    window.addEventListener('keydown', onDown);
    window.addEventListener('keyup', onUp);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onDown);
      window.removeEventListener('keyup', onUp);
      window.removeEventListener('blur', onBlur);
      app.transmit.release();
    };
  }, [app]);

  if (!settings.pushToTalk) return null;
  const key = keyLabel(settings.pushToTalkKey);
  const talking = transmit.held && transmit.open;
  return (
    <output
      className={`ptt-state${talking ? ' ptt-talking' : ''}`}
      data-talking={talking ? 'true' : 'false'}
      aria-live="polite"
    >
      {talking ? 'Talking' : transmit.deafened ? 'Deafened' : `Hold ${key} to talk`}
    </output>
  );
}

/** The "Push to talk" checkbox (remembered per browser) and the key it uses. */
export function PushToTalkSetting() {
  const app = useApp();
  const settings = useStore(app.voiceSettings);
  const [rebinding, setRebinding] = useState(false);

  useEffect(() => {
    if (!rebinding) return;
    // Capture phase: ahead of the push-to-talk listener (bubble phase), which never sees it.
    const onDown = (event: KeyboardEvent) => {
      event.preventDefault();
      event.stopPropagation();
      if (event.code !== 'Escape') app.voiceSettings.update({ pushToTalkKey: event.code });
      setRebinding(false);
    };
    window.addEventListener('keydown', onDown, true);
    return () => window.removeEventListener('keydown', onDown, true);
  }, [app, rebinding]);

  const key = keyLabel(settings.pushToTalkKey);
  return (
    <div className="push-to-talk">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.pushToTalk}
          onChange={(e) => {
            app.voiceSettings.update({ pushToTalk: e.target.checked });
            app.transmit.setPushToTalk(e.target.checked);
            // Space on the still-focused checkbox would toggle it off again.
            e.target.blur();
          }}
        />
        <span>Push to talk</span>
      </label>
      {settings.pushToTalk ? (
        <button
          type="button"
          className="button small"
          aria-label={`Push-to-talk key: ${key}. Change`}
          onClick={() => setRebinding(true)}
        >
          {rebinding ? 'Press a key…' : `Key: ${key}`}
        </button>
      ) : null}
    </div>
  );
}
