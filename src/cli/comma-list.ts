/** A comma-separated flag value as its items: "iCaRL 200, LwF" → ["iCaRL 200", "LwF"] (blanks dropped). */
export function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
