import { DEAD_LETTER_HEADERS } from '@lianban/contracts';
import type { IncomingMessage, OutgoingMessage } from '@lianban/messaging';

/** `<name>: <message>` of what a consumer gave up on, as the DLQ header and the log say it */
export function deadLetterReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The copy a consumer parks on its `<region>.dlq.<consumer>` topic (the DeadLetter message of
 * docs/asyncapi.yaml): key, value and headers unchanged, plus where it was read and why it failed.
 */
export function deadLetterOf(consumer: string, message: IncomingMessage, error: unknown): OutgoingMessage {
  const H = DEAD_LETTER_HEADERS;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [H.error]: deadLetterReason(error).slice(0, 4000),
      [H.consumer]: consumer,
      [H.topic]: message.topic,
      [H.partition]: String(message.partition),
      [H.offset]: message.offset,
      [H.failedAt]: new Date().toISOString(),
    },
  };
}
