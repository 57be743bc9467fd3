import { ApiFailure, token } from './api.js';
import { alertsPage, incidentPage, incidentsPage } from './alerting.js';
import { el } from './dom.js';
import { overviewPage } from './overview.js';
import { queuePage } from './queue.js';
import { signaturePage } from './signature.js';
import { tracePage } from './trace.js';

/** Hash routes: #/ (queue), #/overview?since=7d, #/signature/{sig}, #/trace/{id}, #/alerts, #/incidents, #/incident/{id}. */
async function route(main: HTMLElement): Promise<void> {
  const [path = '/', query = ''] = location.hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === 'signature' && parts[1]) return await signaturePage(main, parts[1]);
    if (parts[0] === 'trace' && parts[1]) return await tracePage(main, parts[1]);
    if (parts[0] === 'overview') return await overviewPage(main, new URLSearchParams(query));
    if (parts[0] === 'alerts') return await alertsPage(main);
    if (parts[0] === 'incidents') return await incidentsPage(main);
    if (parts[0] === 'incident' && parts[1]) return await incidentPage(main, parts[1]);
    return await queuePage(main, new URLSearchParams(query));
  } catch (error) {
    const message = error instanceof ApiFailure ? error.message : String(error);
    main.replaceChildren(el('p', { class: 'error', id: 'error' }, message));
  }
}

function start(): void {
  const main = document.getElementById('main')!;
  const input = document.getElementById('token') as HTMLInputElement;
  input.value = token.get();
  document.getElementById('token-form')!.addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(input.value);
    void route(main);
  });
  window.addEventListener('hashchange', () => void route(main));
  void route(main);
}

start();
