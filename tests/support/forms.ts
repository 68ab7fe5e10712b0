/**
 * Server-action forms submitted the way a browser without JavaScript does: the page's HTML form
 * (React's progressive enhancement renders the action id and bound state as hidden inputs),
 * posted as multipart/form-data to the page. No browser needed; Next runs the action and answers
 * with the re-rendered page (or a redirect).
 */
export interface HtmlForm {
  /** Every named input, in document order (hidden ones included). */
  fields: [string, string][];
  /** The form's visible text (button labels), tags stripped. */
  text: string;
}

const decode = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export function formsIn(html: string): HtmlForm[] {
  return [...html.matchAll(/<form[^>]*>([\s\S]*?)<\/form>/g)].map(([, inner]) => ({
    fields: [...inner!.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)].flatMap(([tag]) => {
      const name = /\bname="([^"]*)"/.exec(tag)?.[1];
      const value = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "";
      return name === undefined ? [] : [[decode(name), decode(value)] as [string, string]];
    }),
    text: decode(
      inner!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    ),
  }));
}

/** The first form whose text matches `label` (e.g. a button's label). */
export function formLabelled(html: string, label: RegExp): HtmlForm {
  const form = formsIn(html).find((candidate) => label.test(candidate.text));
  if (!form) throw new Error(`no form labelled ${label} on the page`);
  return form;
}

/** Posts `form` to `url` with some fields replaced or added; redirects are not followed. */
export async function submitForm(
  url: string,
  form: HtmlForm,
  options: { set?: Record<string, string>; cookie?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = new FormData();
  const set = { ...options.set };
  for (const [name, value] of form.fields) {
    body.append(name, name in set ? set[name]! : value);
    delete set[name];
  }
  for (const [name, value] of Object.entries(set)) body.append(name, value);
  return fetch(url, {
    method: "POST",
    body,
    redirect: "manual",
    // Browsers send Origin with every form post; Next refuses server-action posts without it (CSRF).
    headers: { origin: new URL(url).origin, ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
  });
}
