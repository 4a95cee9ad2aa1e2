'use client';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ChatMessage, ChatStore } from '../chat/chat-store';
import { isSendable, MAX_MESSAGE_LENGTH } from '../chat/chat-wire';
import { splitLinks } from '../chat/links';
import { useStore } from './hooks';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The text chat of a room or call. Every piece of a message is rendered as a React text node
 * or an http(s) anchor: a peer's text never becomes markup.
 */
export function ChatPanel({ chat }: { chat: ChatStore }) {
  const { messages } = useStore(chat);
  const [draft, setDraft] = useState('');
  const logRef = useRef<HTMLOListElement>(null);
  const ids = useId();
  const heading = `${ids}-heading`;
  const counter = `${ids}-counter`;

  // The newest message in view; the log scrolls itself, never the page.
  const count = messages.length;
  useEffect(() => {
    const log = logRef.current;
    if (log && count > 0) log.scrollTop = log.scrollHeight;
  }, [count]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (chat.send(draft)) setDraft('');
  };

  return (
    <section className="card chat" aria-labelledby={heading}>
      <h2 id={heading}>Chat</h2>
      <p className="muted small chat-notice">
        Messages go straight to the people here and are not saved. People who join later see only
        what is said after they arrive.
      </p>
      <ol ref={logRef} className="chat-log" role="log" aria-live="polite" aria-label="Conversation">
        {messages.map((message) => (
          <ChatLine key={message.key} message={message} />
        ))}
      </ol>
      {count === 0 ? <p className="muted small chat-empty">No messages yet.</p> : null}
      <form className="chat-form" onSubmit={onSubmit}>
        <input
          type="text"
          aria-label="Message"
          aria-describedby={counter}
          autoComplete="off"
          maxLength={MAX_MESSAGE_LENGTH}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="button primary" disabled={!isSendable(draft)}>
          Send
        </button>
      </form>
      <p id={counter} className="muted small chat-counter">
        {draft.length} / {MAX_MESSAGE_LENGTH} characters
      </p>
    </section>
  );
}

function ChatLine({ message }: { message: ChatMessage }) {
  const at = new Date(message.at);
  return (
    <li
      className={`chat-message${message.self ? ' chat-self' : ''}`}
      data-author-id={message.authorId}
    >
      <div className="chat-meta">
        <span className="chat-author">{message.self ? 'You' : message.authorName}</span>{' '}
        <time className="muted small" dateTime={at.toISOString()}>
          {timeFormat.format(at)}
        </time>
      </div>
      <p className="chat-text">
        {/* The parts of one text never reorder, so their position is their key. */}
        {splitLinks(message.text).map((part, index) =>
          part.kind === 'link' ? (
            <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
              {part.text}
            </a>
          ) : (
            <span key={index}>{part.text}</span>
          ),
        )}
      </p>
      {message.notDeliveredTo.length > 0 ? (
        <p className="small chat-undelivered">
          Not delivered to {message.notDeliveredTo.join(', ')}.
        </p>
      ) : null}
    </li>
  );
}
