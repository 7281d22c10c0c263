/// <reference lib="dom" />
// The Portico web app: a few screens over the web BFF. It never sees a token: the BFF holds
// them and the browser sends only its HttpOnly session cookie. Every state-changing call carries
// `X-CSRF: 1`, which the BFF requires. Built by esbuild when the BFF starts (bff/web/appBundle.ts).
declare const __WEB_PREFIX__: string;
const API = __WEB_PREFIX__;

interface User {
  id: string;
  name?: string;
  roles: string[];
}
type SessionInfo =
  | { authenticated: true; user: User; expiresAt: string }
  | { authenticated: false; sso: { label: string; start: string } | null };

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api<T>(
  path: string,
  init: { method?: string; json?: unknown; form?: FormData } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf'] = '1';
  let body: BodyInit | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  const response = await fetch(API + path, { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const detail = (data as { detail?: string; title?: string } | undefined) ?? {};
    throw new ApiError(response.status, detail.detail ?? detail.title ?? `HTTP ${response.status}`);
  }
  return data as T;
}

/** A DOM element with attributes and children; text is always text, never parsed as HTML. */
function el(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const main = () => document.getElementById('main') as HTMLElement;
const show = (...nodes: Node[]) => main().replaceChildren(...nodes);
const when = (iso: string) => new Date(iso).toLocaleString();
const message = (text: string, kind: 'error' | 'ok' = 'error') =>
  el('p', { class: kind, role: 'status' }, text);

let session: SessionInfo = { authenticated: false, sso: null };
// Each navigation bumps this; a screen whose data arrives after the next navigation is not shown.
let navigation = 0;
const stale = (seen: number) => seen !== navigation;

function renderHeader(): void {
  const nav = document.getElementById('nav') as HTMLElement;
  const who = document.getElementById('who') as HTMLElement;
  if (!session.authenticated) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const roles = session.user.roles;
  const links: [string, string][] = [['#dashboard', 'Dashboard']];
  if (roles.includes('staff') || roles.includes('admin')) links.push(['#queue', 'Staff queue']);
  if (roles.includes('staff') || roles.includes('admin')) links.push(['#publish', 'Publish']);
  if (roles.includes('admin')) links.push(['#audit', 'Audit log']);
  nav.replaceChildren(...links.map(([href, text]) => el('a', { href }, text)));
  const logout = el('button', { id: 'logout', type: 'button' }, 'Sign out');
  logout.addEventListener('click', () => {
    void api('/logout', { method: 'POST' }).then(() => start());
  });
  who.replaceChildren(`${session.user.name ?? 'Signed in'} (${roles.join(', ')}) `, logout);
}

function renderLogin(error?: string): void {
  const email = el('input', {
    name: 'email',
    type: 'email',
    placeholder: 'email',
    required: '',
    autocomplete: 'username',
  });
  const password = el('input', {
    name: 'password',
    type: 'password',
    placeholder: 'password',
    required: '',
    autocomplete: 'current-password',
  });
  const form = el('form', { id: 'login' }, email, password, el('button', { type: 'submit' }, 'Sign in'));
  const status = el('div');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api('/login', {
      method: 'POST',
      json: { email: (email as HTMLInputElement).value, password: (password as HTMLInputElement).value },
    })
      .then(() => start())
      .catch((failure: unknown) => status.replaceChildren(message((failure as Error).message)));
  });
  const sso =
    !session.authenticated && session.sso
      ? el('p', {}, el('a', { id: 'sso', href: session.sso.start }, session.sso.label))
      : null;
  show(el('section', {}, el('h2', {}, 'Sign in'), form, status, sso, error ? message(error) : null));
}

async function renderDashboard(): Promise<void> {
  interface Dashboard {
    appointments: {
      id: string;
      serviceType: string;
      startsAt: string;
      status: string;
      program: { title: string | null } | null;
      staff: { name: string | null } | null;
    }[];
    resources: { id: string; title: string; size: number; version: number }[];
  }
  const seen = navigation;
  const data = await api<Dashboard>('/dashboard');
  if (stale(seen)) return;
  const rows = data.appointments.map((item) =>
    el(
      'tr',
      { 'data-id': item.id },
      el('td', {}, when(item.startsAt)),
      el('td', {}, item.serviceType),
      el('td', {}, item.program?.title ?? '—'),
      el('td', {}, item.staff?.name ?? 'not assigned yet'),
      el('td', {}, item.status),
    ),
  );
  show(
    el(
      'section',
      { id: 'appointments' },
      el('h2', {}, 'My appointments'),
      rows.length
        ? el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['When', 'Service', 'Program', 'With', 'Status'].map((head) => el('th', {}, head)),
              ),
            ),
            el('tbody', {}, ...rows),
          )
        : el('p', { class: 'muted' }, 'No appointments.'),
    ),
    el(
      'section',
      { id: 'resources' },
      el('h2', {}, 'Resources'),
      data.resources.length
        ? el(
            'ul',
            {},
            ...data.resources.map((item) =>
              el('li', {}, `${item.title} (v${item.version}, ${Math.ceil(item.size / 1024)} KB)`),
            ),
          )
        : el('p', { class: 'muted' }, 'No resources yet.'),
    ),
  );
}

async function renderQueue(note?: Node): Promise<void> {
  interface Row {
    id: string;
    serviceType: string;
    startsAt: string;
    status: string;
    student: { name: string | null } | null;
  }
  const seen = navigation;
  const data = await api<{ unassigned: Row[]; mine: Row[]; staff: { id: string; name: string | null }[] }>(
    '/queue',
  );
  if (stale(seen)) return;
  const status = el('div', {}, note ?? null);
  const act = (promise: Promise<unknown>, done: string) =>
    promise
      .then(() => renderQueue(message(done, 'ok')))
      .catch((failure: unknown) => status.replaceChildren(message((failure as Error).message)));

  const unassigned = data.unassigned.map((item) => {
    const select = el(
      'select',
      { name: 'staffId' },
      ...data.staff.map((person) => el('option', { value: person.id }, person.name ?? person.id)),
    );
    const form = el('form', { class: 'assign' }, select, el('button', { type: 'submit' }, 'Assign'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void act(
        api(`/queue/${item.id}/assign`, {
          method: 'POST',
          json: { staffId: (select as HTMLSelectElement).value },
        }),
        'Assigned.',
      );
    });
    return el(
      'tr',
      { 'data-id': item.id },
      el('td', {}, when(item.startsAt)),
      el('td', {}, item.serviceType),
      el('td', {}, item.student?.name ?? '—'),
      el('td', {}, form),
    );
  });
  const mine = data.mine.map((item) => {
    const next =
      item.status === 'requested' ? ['confirmed', 'declined', 'cancelled'] : ['completed', 'cancelled'];
    const select = el('select', { name: 'status' }, ...next.map((value) => el('option', { value }, value)));
    const reason = el('input', { name: 'reason', placeholder: 'reason', required: '' });
    const form = el('form', { class: 'status' }, select, reason, el('button', { type: 'submit' }, 'Apply'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void act(
        api(`/queue/${item.id}/status`, {
          method: 'POST',
          json: { status: (select as HTMLSelectElement).value, reason: (reason as HTMLInputElement).value },
        }),
        'Status changed.',
      );
    });
    return el(
      'tr',
      { 'data-id': item.id },
      el('td', {}, when(item.startsAt)),
      el('td', {}, item.serviceType),
      el('td', {}, item.student?.name ?? '—'),
      el('td', {}, item.status),
      el('td', {}, form),
    );
  });
  show(
    status,
    el(
      'section',
      { id: 'unassigned' },
      el('h2', {}, 'Unassigned requests'),
      unassigned.length
        ? el('table', {}, el('tbody', {}, ...unassigned))
        : el('p', { class: 'muted' }, 'The queue is empty.'),
    ),
    el(
      'section',
      { id: 'mine' },
      el('h2', {}, 'Assigned to me'),
      mine.length
        ? el('table', {}, el('tbody', {}, ...mine))
        : el('p', { class: 'muted' }, 'Nothing assigned to you.'),
    ),
  );
}

function renderPublish(): void {
  const title = el('input', { name: 'title', placeholder: 'title', required: '' });
  const file = el('input', { name: 'file', type: 'file', accept: 'application/pdf', required: '' });
  const form = el('form', { id: 'publish' }, title, file, el('button', { type: 'submit' }, 'Publish'));
  const status = el('div');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api<{ id: string; title: string }>('/resources', {
      method: 'POST',
      form: new FormData(form as HTMLFormElement),
    })
      .then((created) => status.replaceChildren(message(`Published "${created.title}".`, 'ok')))
      .catch((failure: unknown) => status.replaceChildren(message((failure as Error).message)));
  });
  show(el('section', {}, el('h2', {}, 'Publish a PDF resource'), form, status));
}

async function renderAudit(source = 'appointments', cursor?: string): Promise<void> {
  interface Entry {
    at: string;
    actor: { name: string | null; id: string } | null;
    action: string;
    target: { kind: string; id: string };
  }
  const seen = navigation;
  const page = await api<{ items: Entry[]; nextCursor: string | null }>(
    `/audit?source=${source}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  if (stale(seen)) return;
  const picker = el(
    'select',
    { name: 'source' },
    ...['appointments', 'resources'].map((value) =>
      el('option', value === source ? { value, selected: '' } : { value }, value),
    ),
  );
  picker.addEventListener('change', () => void renderAudit((picker as HTMLSelectElement).value));
  const more = page.nextCursor ? el('button', { type: 'button' }, 'Older') : null;
  more?.addEventListener('click', () => void renderAudit(source, page.nextCursor ?? undefined));
  show(
    el(
      'section',
      { id: 'audit' },
      el('h2', {}, 'Audit log'),
      picker,
      el(
        'table',
        {},
        el(
          'tbody',
          {},
          ...page.items.map((item) =>
            el(
              'tr',
              {},
              el('td', {}, when(item.at)),
              el('td', {}, item.actor?.name ?? item.actor?.id ?? '—'),
              el('td', {}, item.action),
              el('td', {}, `${item.target.kind} ${item.target.id.slice(0, 8)}`),
            ),
          ),
        ),
      ),
      more,
    ),
  );
}

async function route(): Promise<void> {
  navigation += 1;
  if (!session.authenticated)
    return renderLogin(
      new URLSearchParams(location.search).get('sso') === 'failed'
        ? 'The campus sign-in did not complete.'
        : undefined,
    );
  try {
    switch (location.hash) {
      case '#queue':
        return await renderQueue();
      case '#publish':
        return renderPublish();
      case '#audit':
        return await renderAudit();
      default:
        return await renderDashboard();
    }
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401) return start();
    show(message((failure as Error).message));
  }
}

async function start(): Promise<void> {
  session = await api<SessionInfo>('/session');
  renderHeader();
  await route();
}

window.addEventListener('hashchange', () => void route());
void start();
