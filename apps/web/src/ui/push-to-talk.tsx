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
 * Push-to-talk: the checkbox (remembered per browser), the key it uses, and whether you are
 * talking. While mounted (in a room or a call) holding the key opens the microphone.
 */
export function PushToTalk() {
  const app = useApp();
  const settings = useStore(app.voiceSettings);
  const transmit = useStore(app.transmit);
  const [rebinding, setRebinding] = useState(false);
  const latest = useRef({ code: settings.pushToTalkKey, rebinding });
  latest.current = { code: settings.pushToTalkKey, rebinding };

  useEffect(() => {
    const onDown = (event: KeyboardEvent) => {
      const { code, rebinding } = latest.current;
      if (rebinding) {
        event.preventDefault();
        event.stopPropagation();
        if (event.code !== 'Escape') app.voiceSettings.update({ pushToTalkKey: event.code });
        setRebinding(false);
        return;
      }
      if (event.code !== code || !app.transmit.getSnapshot().pushToTalk || isTyping(event.target))
        return;
      // Also keeps Space from pressing the focused button.
      event.preventDefault();
      event.stopPropagation();
      if (!event.repeat) app.transmit.press();
    };
    const onUp = (event: KeyboardEvent) => {
      if (event.code !== latest.current.code || !app.transmit.getSnapshot().pushToTalk) return;
      if (!isTyping(event.target)) event.preventDefault();
      app.transmit.release();
    };
    // A key released while another window has focus never reaches us: stop talking on blur.
    const onBlur = () => app.transmit.release();
    window.addEventListener('keydown', onDown, true);
    window.addEventListener('keyup', onUp, true);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onDown, true);
      window.removeEventListener('keyup', onUp, true);
      window.removeEventListener('blur', onBlur);
      app.transmit.release();
    };
  }, [app]);

  const key = keyLabel(settings.pushToTalkKey);
  const talking = transmit.held && transmit.open;
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
        <>
          <button
            type="button"
            className="button small"
            aria-label={`Push-to-talk key: ${key}. Change`}
            onClick={() => setRebinding(true)}
          >
            {rebinding ? 'Press a key…' : `Key: ${key}`}
          </button>
          <output
            className={`ptt-state${talking ? ' ptt-talking' : ''}`}
            data-talking={talking ? 'true' : 'false'}
            aria-live="polite"
          >
            {talking ? 'Talking' : transmit.deafened ? 'Deafened' : `Hold ${key} to talk`}
          </output>
        </>
      ) : null}
    </div>
  );
}
