/** How every part of the app logs: a level and one line of text (never an address or a justification). */
export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;
