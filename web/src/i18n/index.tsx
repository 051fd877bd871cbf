import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';

/** The languages the app speaks. */
export type Locale = 'en' | 'es';
const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, es };
const STORAGE_KEY = 'aula.locale';

/** The remembered choice, else the browser's first language we speak, else English. */
function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'es') return saved;
  const browser = navigator.languages.find((l) => /^(en|es)\b/i.test(l));
  return browser?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

interface I18n {
  locale: Locale;
  /** The locale for Intl: the browser's own variant when it matches the language (es-AR, en-GB…). */
  intlLocale: string;
  setLocale(locale: Locale): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  date(value: string | Date): string;
  dateTime(value: string | Date): string;
  number(value: number, digits?: number): string;
}

const I18nContext = createContext<I18n | null>(null);

/** Translations and locale-aware formatting. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

/** Holds the chosen language, remembers it, and sets `<html lang>`. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const intlLocale = navigator.languages.find((l) => l.toLowerCase().startsWith(locale)) ?? locale;
    const dict = DICTIONARIES[locale];
    const dateFmt = new Intl.DateTimeFormat(intlLocale, { dateStyle: 'medium' });
    const dateTimeFmt = new Intl.DateTimeFormat(intlLocale, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      locale,
      intlLocale,
      setLocale,
      t: (key, vars) => dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? '')),
      date: (v) => dateFmt.format(new Date(v)),
      dateTime: (v) => dateTimeFmt.format(new Date(v)),
      number: (v, digits = 2) => new Intl.NumberFormat(intlLocale, { maximumFractionDigits: digits }).format(v),
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
