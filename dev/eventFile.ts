/**
 * Reads events from a file for the CLI (simulate, digest, send): JSON Lines or one JSON
 * array. Each entry is validated on its own, so one bad line never hides the good ones;
 * bad entries come back with their line (or index) number and the reason.
 */
import { readFile } from 'node:fs/promises';
import type { PimEvent } from '../shared/events/schema.js';
import { parseEvent, parseEventText, type InvalidEventError } from '../shared/events/parse.js';

export interface EventFileEntry {
  /** 1-based line number (JSON Lines) or array index + 1. */
  line: number;
  raw: unknown;
}

export interface EventFileResult {
  events: Array<{ line: number; event: PimEvent }>;
  invalid: Array<{ line: number; error: InvalidEventError }>;
  /** Events whose id appeared earlier in the file: the first one wins. */
  duplicates: Array<{ line: number; eventId: string }>;
}

export async function readEventFile(path: string): Promise<EventFileResult> {
  return parseEventsText(await readFile(path, 'utf8'));
}

export function parseEventsText(text: string): EventFileResult {
  const result: EventFileResult = { events: [], invalid: [], duplicates: [] };
  const seen = new Set<string>();
  for (const { line, parsed } of entries(text)) {
    if (parsed.kind === 'invalid') {
      result.invalid.push({ line, error: parsed.error });
    } else if (seen.has(parsed.event.id)) {
      result.duplicates.push({ line, eventId: parsed.event.id });
    } else {
      seen.add(parsed.event.id);
      result.events.push({ line, event: parsed.event });
    }
  }
  return result;
}

function* entries(text: string): Generator<{ line: number; parsed: ReturnType<typeof parseEvent> }> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(trimmed);
    } catch {
      // Not one valid array: fall back to lines, so a JSON Lines file starting with an array line still reads.
      array = undefined;
    }
    if (Array.isArray(array)) {
      for (let i = 0; i < array.length; i++) yield { line: i + 1, parsed: parseEvent(array[i]) };
      return;
    }
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('//')) continue;
    yield { line: i + 1, parsed: parseEventText(l) };
  }
}
