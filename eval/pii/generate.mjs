// Generates the labelled PII evaluation corpus, eval/pii/corpus.jsonl, from a fixed seed: the
// same file every run, so a change in the scores is a change in the detectors.
//
//   node eval/pii/generate.mjs            # rewrite corpus.jsonl
//   node eval/pii/generate.mjs --check    # exit 1 if corpus.jsonl is not what the seed gives
//
// Each line: { id, template, key, text, entities: [{entity, start, end}],
//              negatives: [{kind, start, end}] }
// `key` is the attribute or JSON member the text would come from ('' when none); `entities`
// are the values that must be redacted (offsets in UTF-16 units, end exclusive); `negatives`
// are hard negatives — ids, hashes, timestamps, versions, near-misses — that must survive.
// Texts are telemetry: log lines, exception messages, prompts, tool arguments, JSON payloads,
// HTTP headers, connection strings, SQL. Every value is synthetic.

import { Buffer } from 'node:buffer';
import console from 'node:console';
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { prng } from '../../bench/prng.mjs';

const SEED = 20_240_501;
const RECORDS = 3000;
const OUTPUT = new URL('./corpus.jsonl', import.meta.url);

const random = prng(SEED);
const int = (min, max) => min + Math.floor(random() * (max - min + 1));
const pick = (items) => items[Math.floor(random() * items.length)];
const chars = (alphabet, n) => Array.from({ length: n }, () => pick(alphabet)).join('');
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = UPPER + LOWER + DIGITS;
const B64URL = ALNUM + '-_';
const digits = (n) => chars(DIGITS, n);
const hex = (n) => chars(HEX, n);
/** Random tokens that mix case and digits, as real secrets do. */
const token = (n) => chars(ALNUM, n - 2) + pick(DIGITS) + pick(UPPER);

/** A text built piece by piece, remembering where labelled values sit. */
class Text {
  constructor() {
    this.text = '';
    this.entities = [];
    this.negatives = [];
  }
  add(piece) {
    this.text += piece;
    return this;
  }
  pii(entity, value) {
    this.entities.push({ entity, start: this.text.length, end: this.text.length + value.length });
    return this.add(value);
  }
  neg(kind, value) {
    this.negatives.push({ kind, start: this.text.length, end: this.text.length + value.length });
    return this.add(value);
  }
}

// ---- personal data and secrets, each in the formats people and programs write ----

const FIRST = [
  'jane',
  'john',
  'maria',
  'li',
  'ahmed',
  'olga',
  'sven',
  'aiko',
  'carlos',
  'fatima',
  'noah',
  'zoe',
];
const LAST = [
  'doe',
  'smith',
  'rossi',
  'wei',
  'hassan',
  'ivanova',
  'berg',
  'tanaka',
  'garcia',
  'khan',
  'miller',
  'obrien',
];
const DOMAINS = [
  'example.com',
  'example.org',
  'mail.example.net',
  'corp.example.co.uk',
  'example.io',
  'students.example.edu',
  'example.de',
  'my-company.example',
];

function email() {
  const first = pick(FIRST);
  const last = pick(LAST);
  const local = pick([
    `${first}.${last}`,
    `${first}_${last}${int(1, 99)}`,
    `${first}+${pick(['billing', 'test', 'news'])}`,
    `${first[0]}${last}`,
    `${first}-${last}`,
    `${first}${int(1970, 2005)}`,
    `${first.toUpperCase()}.${last.toUpperCase()}`,
    `${first}.${last}.${int(1, 9)}`,
  ]);
  const domain = pick(DOMAINS);
  if (random() < 0.05)
    return `${pick(['josé', 'zoë', 'søren', 'müller', 'françois'])}.${last}@${pick(['exemplo.com.br', 'beispiel.de', 'exemple.fr'])}`;
  return random() < 0.1 ? `${local}@${domain}`.toUpperCase() : `${local}@${domain}`;
}

const nanpDigits = () => `${int(2, 9)}${digits(2)}`;
const exchange = () => `${int(2, 9)}${digits(2)}`;
const PHONE_FORMATS = [
  () => `+1${nanpDigits()}${exchange()}${digits(4)}`,
  () => `+1 ${nanpDigits()}-${exchange()}-${digits(4)}`,
  () => `+1 (${nanpDigits()}) ${exchange()}-${digits(4)}`,
  () => `(${nanpDigits()}) ${exchange()}-${digits(4)}`,
  () => `${nanpDigits()}-${exchange()}-${digits(4)}`,
  () => `${nanpDigits()}.${exchange()}.${digits(4)}`,
  () => `${nanpDigits()} ${exchange()} ${digits(4)}`,
  () => `1-${pick(['800', '888', '877'])}-${exchange()}-${digits(4)}`,
  () => `+44 20 ${digits(4)} ${digits(4)}`,
  () => `+44 7${digits(3)} ${digits(6)}`,
  () => `+44 (0)20 ${digits(4)} ${digits(4)}`,
  () => `020 ${digits(4)} ${digits(4)}`,
  () => `07${digits(3)} ${digits(6)}`,
  () => `+33 ${int(1, 9)} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  () => `0${int(1, 9)} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  () => `+49 30 ${digits(7)}`,
  () => `030 ${digits(7)}`,
  () => `+49 151 ${digits(8)}`,
  () => `+39 3${digits(2)} ${digits(3)} ${digits(4)}`,
  () => `+91 9${digits(4)} ${digits(5)}`,
  () => `+61 2 ${digits(4)} ${digits(4)}`,
  () => `+61 4${digits(2)} ${digits(3)} ${digits(3)}`,
  () => `+81 3-${digits(4)}-${digits(4)}`,
  () => `+81 90-${digits(4)}-${digits(4)}`,
  () => `+86 13${digits(1)} ${digits(4)} ${digits(4)}`,
  () => `+55 11 9${digits(4)}-${digits(4)}`,
  () => `+34 6${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  () => `+31 6 ${digits(8)}`,
  () => `+4477${digits(8)}`,
  () => `0044 20 ${digits(4)} ${digits(4)}`,
  () => `06 ${digits(8)}`,
  () => `+1.${nanpDigits()}.${exchange()}.${digits(4)}`,
  () => `+1-${nanpDigits()}-${exchange()}-${digits(4)}`,
  () => `(${nanpDigits()})${exchange()}-${digits(4)}`,
  () => `+44-20-${digits(4)}-${digits(4)}`,
  () => `+91-9${digits(4)}-${digits(5)}`,
  () => `+49 (0)30 ${digits(7)}`,
  () => `+852 ${int(5, 9)}${digits(3)} ${digits(4)}`,
  () => `+65 ${int(8, 9)}${digits(3)} ${digits(4)}`,
  () => `+971 50 ${digits(3)} ${digits(4)}`,
  () => `+7 495 ${digits(3)}-${digits(2)}-${digits(2)}`,
  () => `+82 10-${digits(4)}-${digits(4)}`,
  () => `+353 87 ${digits(3)} ${digits(4)}`,
  () => `(02) ${digits(4)} ${digits(4)}`,
  () => `04${digits(2)} ${digits(3)} ${digits(3)}`,
  () => `090-${digits(4)}-${digits(4)}`,
  () => `010-${digits(4)}-${digits(4)}`,
  () => `8 (${int(800, 999)}) ${digits(3)}-${digits(2)}-${digits(2)}`,
];
const phone = () => pick(PHONE_FORMATS)();
/** A bare number, a phone only because of the words around it. */
const barePhone = () =>
  pick([() => `${nanpDigits()}${exchange()}${digits(4)}`, () => `07${digits(9)}`])();

function luhnComplete(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + ((10 - (sum % 10)) % 10);
}
const CARD_ISSUERS = [
  { prefix: () => '4', length: 16 },
  { prefix: () => '4', length: 19 },
  { prefix: () => String(int(51, 55)), length: 16 },
  { prefix: () => String(int(2221, 2720)), length: 16 },
  { prefix: () => pick(['34', '37']), length: 15 },
  { prefix: () => '6011', length: 16 },
  { prefix: () => String(int(3528, 3589)), length: 16 },
  { prefix: () => '36', length: 14 },
  { prefix: () => '62', length: 16 },
  { prefix: () => '65', length: 16 },
];
function cardDigits() {
  const issuer = pick(CARD_ISSUERS);
  const prefix = issuer.prefix();
  return luhnComplete(prefix + digits(issuer.length - prefix.length - 1));
}
function groupCard(number, separator) {
  if (number.length === 15)
    return [number.slice(0, 4), number.slice(4, 10), number.slice(10)].join(separator);
  if (number.length === 14)
    return [number.slice(0, 4), number.slice(4, 10), number.slice(10)].join(separator);
  return number.match(/.{1,4}/g).join(separator);
}
const card = () => {
  const number = cardDigits();
  return pick([
    number,
    groupCard(number, ' '),
    groupCard(number, '-'),
    groupCard(number, ' '),
    groupCard(number, '.'),
  ]);
};

function ssnParts() {
  let area;
  do area = int(1, 899);
  while (area === 666);
  return [
    String(area).padStart(3, '0'),
    String(int(1, 99)).padStart(2, '0'),
    String(int(1, 9999)).padStart(4, '0'),
  ];
}
const ssn = () => ssnParts().join(pick(['-', '-', ' ']));

const IBAN_SHAPES = {
  DE: 'n18',
  GB: 'a4n14',
  FR: 'n10a11n2',
  ES: 'n20',
  IT: 'a1n10a12',
  NL: 'a4n10',
  BE: 'n12',
  CH: 'n17',
  AT: 'n16',
  PL: 'n24',
  SE: 'n20',
  IE: 'a4n14',
  PT: 'n21',
  DK: 'n14',
  NO: 'n11',
  FI: 'n14',
};
function ibanRemainder(text) {
  let remainder = 0;
  for (const ch of text)
    remainder = (remainder * (/\d/.test(ch) ? 10 : 100) + parseInt(ch, 36)) % 97;
  return remainder;
}
function ibanCompact(valid = true) {
  const country = pick(Object.keys(IBAN_SHAPES));
  let bban = '';
  for (const [, kind, n] of IBAN_SHAPES[country].matchAll(/([an])(\d+)/g)) {
    bban += kind === 'a' ? chars(UPPER, Number(n)) : digits(Number(n));
  }
  let check = 98 - ibanRemainder(`${bban}${country}00`);
  if (!valid) check = ((check + int(1, 90) - 2) % 97) + 2;
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}
const groupIban = (compact) => compact.match(/.{1,4}/g).join(' ');
const iban = () => {
  const compact = ibanCompact();
  return random() < 0.5 ? compact : groupIban(compact);
};

function ipv4() {
  const first = pick([
    int(1, 9),
    int(11, 126),
    int(128, 171),
    int(173, 191),
    int(193, 223),
    10,
    172,
    192,
  ]);
  const second = first === 192 ? 168 : first === 172 ? int(16, 31) : int(0, 255);
  return `${first}.${second}.${int(0, 255)}.${int(1, 254)}`;
}
function ipv6() {
  const group = () => hex(int(1, 4)).replace(/^0+(?=.)/, '');
  return pick([
    () => Array.from({ length: 8 }, () => hex(4)).join(':'),
    () => `2001:db8::${group()}:${group()}`,
    () => `2001:db8:${group()}:${group()}::${group()}`,
    () => `fe80::${hex(3)}:${hex(4)}:${hex(4)}:${hex(4)}`,
    () => `2a02:${hex(4)}:${hex(4)}::${hex(4)}`,
    () => `::ffff:${ipv4()}`,
  ])();
}
const ip = () => (random() < 0.7 ? ipv4() : ipv6());

const b64url = (text) => Buffer.from(text).toString('base64url');
function jwt() {
  const header = b64url(JSON.stringify({ alg: pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      sub: `user_${hex(8)}`,
      iat: 1_700_000_000 + int(0, 9e7),
      exp: 1_800_000_000,
      scope: pick(['read', 'read write']),
    }),
  );
  return `${header}.${payload}.${chars(B64URL, pick([43, 86, 342]))}`;
}

const API_KEYS = [
  () => `sk-proj-${chars(B64URL, 60)}${pick(DIGITS)}`,
  () => `sk-ant-api03-${chars(B64URL, 93)}AA`,
  () => `sk-${token(48)}`,
  () => `ghp_${token(36)}`,
  () => `gho_${token(36)}`,
  () => `github_pat_${token(22)}_${token(59)}`,
  () => `xoxb-${digits(12)}-${digits(13)}-${token(24)}`,
  () => `xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${hex(32)}`,
  () => `AKIA${chars(UPPER + '234567', 15)}${pick(DIGITS)}`,
  () => `AIza${chars(B64URL, 34)}${pick(DIGITS)}`,
  () => `sk_live_${token(24)}`,
  () => `rk_live_${token(24)}`,
  () => `glpat-${token(20)}`,
  () => `hf_${token(34)}`,
  () => `npm_${token(36)}`,
];
const apiKey = () => pick(API_KEYS)();

const opaqueToken = () =>
  pick([() => token(40), () => `ya29.${chars(B64URL, 60)}`, () => `${token(24)}.${token(16)}`])();
const basicCredentials = () => Buffer.from(`${pick(FIRST)}:${token(12)}`).toString('base64');

const password = () =>
  `${chars(ALNUM, int(6, 14))}${pick(['!', '#', '%', '9', 'x'])}${pick(DIGITS)}`;

function privateKey() {
  const kind = pick(['RSA ', 'EC ', 'OPENSSH ', '']);
  const lines = Array.from({ length: int(3, 8) }, () => chars(ALNUM + '+/', 64));
  return `-----BEGIN ${kind}PRIVATE KEY-----\n${lines.join('\n')}\n${chars(ALNUM, 20)}==\n-----END ${kind}PRIVATE KEY-----`;
}

// ---- hard negatives ----

const uuid = () =>
  `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
const MODELS = [
  'gpt-4o-2024-08-06',
  'gpt-4o-mini',
  'gpt-4.1-2025-04-14',
  'o1-preview-2024-09-12',
  'claude-3-5-sonnet-20241022',
  'claude-sonnet-4-20250514',
  'claude-3-5-haiku',
  'gemini-1.5-pro-002',
  'gemini-2.0-flash-001',
  'llama-3.1-70b-instruct',
  'mistral-large-2407',
  'text-embedding-3-small',
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'Qwen2.5-72B-Instruct',
];
const NEGATIVES = {
  trace_id: () => hex(32),
  span_id: () => hex(16),
  uuid,
  sha256: () => hex(64),
  sha1: () => hex(40),
  git_sha: () => hex(7),
  unix_s: () => String(int(1_600_000_000, 1_800_000_000)),
  unix_ms: () => String(int(1_600_000_000, 1_800_000_000)) + digits(3),
  unix_us: () => String(int(1_600_000_000, 1_800_000_000)) + digits(6),
  unix_ns: () => String(int(1_600_000_000, 1_800_000_000)) + digits(9),
  iso_time: () =>
    `2024-0${int(1, 9)}-${int(10, 28)}T${int(10, 23)}:${int(10, 59)}:${int(10, 59)}.${digits(3)}Z`,
  date: () =>
    pick([
      `2024-0${int(1, 9)}-${int(10, 28)}`,
      `0${int(1, 9)}/${int(10, 28)}/2024`,
      `${int(10, 28)}.0${int(1, 9)}.2024`,
    ]),
  time: () => `${int(10, 23)}:${int(10, 59)}:${int(10, 59)}`,
  version: () =>
    pick([
      `v${int(1, 9)}.${int(0, 20)}.${int(0, 30)}`,
      `${int(1, 9)}.${int(0, 20)}.${int(0, 30)}`,
      `v4.4.2`,
      `2.1b0`,
      `1.0.0-rc.${int(1, 5)}`,
    ]),
  model: () => pick(MODELS),
  token_count: () => String(int(1, 128_000)),
  duration: () =>
    pick([
      `${int(1, 9000)}ms`,
      `${int(1, 90)}.${digits(2)}s`,
      `${int(100, 999)}µs`,
      `PT${int(1, 59)}.${digits(1)}S`,
    ]),
  duration_ns: () => String(int(1_000_000, 9_999_999_999)),
  http_status: () =>
    String(pick([200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504])),
  port: () => String(pick([80, 443, 4317, 4318, 5432, 6379, 8080, 8443, 8888, 9090, 27017])),
  id: () =>
    pick([
      `ord_${hex(6)}`,
      `req_${token(20)}`,
      `chatcmpl-${token(29)}`,
      `call_${token(24)}`,
      `conv_${hex(16)}`,
      `run-${hex(12)}`,
      `msg_${token(24)}`,
    ]),
  snowflake: () => `1${digits(18)}`,
  isbn: () =>
    pick([
      `978-0-${digits(3)}-${digits(5)}-${int(0, 9)}`,
      `ISBN ${pick(['978', '979'])}${digits(10)}`,
    ]),
  tracking: () => `1Z${chars(UPPER + DIGITS, 6)}${digits(10)}`,
  oid: () => `1.3.6.1.4.1.${int(1, 60000)}.${int(1, 9)}`,
  decimal: () => `${int(0, 9)}.${digits(int(8, 14))}`,
  score: () => `0.0${digits(int(12, 16))}`,
  euro_amount: () => `EUR ${int(1, 999)}.${digits(3)}.${digits(3)},${digits(2)}`,
  elapsed: () => `00:${int(10, 59)}:${int(10, 59)}.${digits(3)}`,
  semver_build: () => `${int(1, 9)}.${int(0, 20)}.${int(0, 9)}+build.${int(1, 999)}`,
  bytes: () => `${int(1, 9)}${digits(int(6, 12))} bytes`,
  cidr_private_build: () => `build ${int(1, 9)}.${int(0, 30)}.${int(0, 9)}.${int(0, 99)}`,
  card_bad_issuer: () =>
    luhnComplete(`${pick(['1', '7'])}${digits(14)}`)
      .match(/.{4}/g)
      .join(' '),
  count: () =>
    pick([
      `${int(1, 999)},${digits(3)}`,
      `${int(1, 99)},${digits(3)},${digits(3)}`,
      String(int(1000, 99999)),
    ]),
  money: () => `$${int(1, 999)},${digits(3)}.${digits(2)}`,
  mac: () => Array.from({ length: 6 }, () => hex(2)).join(':'),
  hostname: () => `ip-10-${int(0, 255)}-${int(0, 255)}-${int(1, 254)}.ec2.internal`,
  image: () =>
    pick([
      `nginx:1.25.${int(0, 5)}`,
      `ghcr.io/acme/agent@sha256:${hex(64)}`,
      `python:3.12.${int(0, 9)}-slim`,
    ]),
  package: () =>
    pick([
      `@opentelemetry/api@1.9.${int(0, 3)}`,
      `lodash@4.17.21`,
      `icon@2x.png`,
      `logo@3x.webp`,
      `@scope/pkg`,
    ]),
  loopback: () => pick(['127.0.0.1', '0.0.0.0', '::1', 'localhost:4317']),
  // A dotted quad is a version only in a version context, which is part of the value here.
  version_ip: () =>
    `${pick(['version ', 'v', 'release ', 'firmware ', 'build '])}${int(1, 9)}.${int(0, 20)}.${int(0, 99)}.${int(0, 9999)}`,
  path: () => `/srv/agent/tools/runner.py:${int(10, 999)}`,
  coordinates: () => `${int(10, 60)}.${digits(4)},${pick(['', '-'])}${int(10, 150)}.${digits(4)}`,
  // Near-misses of the validated entities.
  // 16 digits: a 19-digit number whose first 16 digits form a valid card is not a near-miss.
  card_luhn_fail: () => {
    let good;
    do good = cardDigits();
    while (good.length === 19);
    const last = (Number(good.at(-1)) + int(1, 9)) % 10;
    return groupCard(good.slice(0, -1) + last, pick([' ', '-', '']));
  },
  ssn_invalid: () => {
    const [area, group, serial] = ssnParts();
    return pick([
      `000-${group}-${serial}`,
      `666-${group}-${serial}`,
      `9${digits(2)}-${group}-${serial}`,
      `${area}-00-${serial}`,
      `${area}-${group}-0000`,
    ]);
  },
  iban_bad_check: () => {
    const compact = ibanCompact(false);
    return random() < 0.5 ? compact : groupIban(compact);
  },
  phone_invalid: () =>
    pick([
      `1${digits(2)}-${exchange()}-${digits(4)}`,
      `${exchange()}-${digits(4)}`,
      `978-3-16-148410-${int(0, 9)}`,
      `94107-${digits(4)}`,
    ]),
  ipv4_invalid: () => `${int(256, 999)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
};
const negative = (kind) => NEGATIVES[kind]();
const anyNegative = () => pick(Object.keys(NEGATIVES));

// ---- templates: what telemetry strings look like ----

const LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
const WORDS =
  'the order refund invoice shipping delay policy ticket priority escalate contract renewal billing payment failed retry schedule report'.split(
    ' ',
  );
const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

/** [name, key, build(t)]; `key` is the attribute the text would sit in. */
const TEMPLATES = [
  [
    'log.login',
    'log.message',
    (t) => {
      t.neg('iso_time', negative('iso_time'))
        .add(` ${pick(LEVELS)} [trace_id=`)
        .neg('trace_id', negative('trace_id'));
      t.add(' span_id=').neg('span_id', negative('span_id')).add('] user ').pii('email', email());
      t.add(' logged in from ')
        .pii('ip_address', ip())
        .add(` in `)
        .neg('duration', negative('duration'));
    },
  ],
  [
    'log.request',
    'log.message',
    (t) => {
      t.add('POST /v1/orders/')
        .neg('id', negative('id'))
        .add(' ')
        .neg('http_status', negative('http_status'));
      t.add(' ')
        .neg('duration', negative('duration'))
        .add(' client=')
        .pii('ip_address', ipv4())
        .add(':');
      t.neg('port', negative('port'))
        .add(' ua="agent-client/')
        .neg('version', negative('version'))
        .add('"');
    },
  ],
  [
    'log.phone',
    'log.message',
    (t) => {
      t.add(`${pick(LEVELS)} sms sent to `)
        .pii('phone', phone())
        .add(` (request `)
        .neg('uuid', negative('uuid'));
      t.add(`) at `).neg('unix_ms', negative('unix_ms'));
    },
  ],
  [
    'log.card_cvv',
    'log.message',
    (t) => {
      // The three digits after the card are its security code: sensitive, not a hard negative.
      t.add('checkout: card ')
        .pii('credit_card', card())
        .add(` ${digits(3)}`);
      t.add(' exp ').neg('date', `${int(10, 12)}/${int(26, 31)}`);
      t.add(' zip ').neg('token_count', digits(5));
    },
  ],
  [
    'log.card',
    'log.message',
    (t) => {
      t.add('payment declined for card ')
        .pii('credit_card', card())
        .add(' amount ')
        .neg('money', negative('money'));
      t.add(' attempt ')
        .neg('token_count', String(int(1, 5)))
        .add(' at ')
        .neg('unix_s', negative('unix_s'));
    },
  ],
  [
    'log.near_miss',
    'log.message',
    (t) => {
      t.add('validation: card ')
        .neg('card_luhn_fail', negative('card_luhn_fail'))
        .add(' rejected; ssn ');
      t.neg('ssn_invalid', negative('ssn_invalid'))
        .add(' invalid; iban ')
        .neg('iban_bad_check', negative('iban_bad_check'));
      t.add(' bad checksum; ref ').neg('phone_invalid', negative('phone_invalid'));
    },
  ],
  [
    'log.env',
    'process.command_args',
    (t) => {
      t.add(`OPENAI_API_KEY=`)
        .pii('api_key', apiKey())
        .add(` DB_PASSWORD=`)
        .pii('secret', password());
      t.add(` OTEL_SERVICE_VERSION=`)
        .neg('version', negative('version'))
        .add(` PORT=`)
        .neg('port', negative('port'));
    },
  ],
  [
    'log.connection',
    'db.connection_string',
    (t) => {
      const scheme = pick([
        'postgres',
        'postgresql',
        'mysql',
        'redis',
        'mongodb+srv',
        'amqp',
        'https',
      ]);
      const user = pick([pick(FIRST), 'app', 'admin', 'svc_agent', '']);
      t.add(`connecting to ${scheme}://`).pii('url_credentials', `${user}:${password()}`);
      t.add(`@db-${hex(4)}.internal:`)
        .neg('port', negative('port'))
        .add(`/app?sslmode=require`);
    },
  ],
  [
    'log.conn_string',
    'db.connection_string',
    (t) => {
      t.add('Server=sql-')
        .neg('git_sha', negative('git_sha'))
        .add('.internal;Database=app;User Id=sa;Password=');
      t.pii('secret', password()).add(';Timeout=30;');
    },
  ],
  [
    'header.bearer',
    'http.request.header',
    (t) => {
      t.add(pick(['Authorization: Bearer ', 'authorization: bearer ', 'Bearer '])).pii(
        'bearer_token',
        opaqueToken(),
      );
    },
  ],
  [
    'header.basic',
    'http.request.header',
    (t) => {
      t.add('Authorization: Basic ').pii('bearer_token', basicCredentials());
    },
  ],
  [
    'header.jwt',
    'http.request.header',
    (t) => {
      t.add('upstream rejected token ')
        .pii('jwt', jwt())
        .add(' (')
        .neg('http_status', '401')
        .add(')');
    },
  ],
  [
    'exception.card',
    'exception.message',
    (t) => {
      t.add(`ValueError: card number `)
        .pii('credit_card', card())
        .add(` failed issuer check for customer `);
      t.pii('email', email());
    },
  ],
  [
    'exception.stack',
    'exception.stacktrace',
    (t) => {
      t.add('Traceback (most recent call last):\n  File "')
        .neg('path', negative('path'))
        .add('", in run_tool\n');
      t.add('httpx.HTTPStatusError: Server error ')
        .neg('http_status', '503')
        .add(` for url 'https://`);
      t.pii('url_credentials', `${pick(FIRST)}:${password()}`)
        .add(`@api.example.com/v2/lookup?since=`)
        .neg('unix_s', negative('unix_s'))
        .add(`'`);
    },
  ],
  [
    'exception.key',
    'exception.message',
    (t) => {
      t.add('AuthenticationError: Incorrect API key provided: ').pii('api_key', apiKey());
      t.add('. Request id ').neg('id', negative('id'));
    },
  ],
  [
    'exception.private_key',
    'exception.message',
    (t) => {
      t.add('could not load signing key: ')
        .pii('private_key', privateKey())
        .add(' (')
        .neg('sha256', negative('sha256'))
        .add(')');
    },
  ],
  [
    'prompt.contact',
    'gen_ai.prompt',
    (t) => {
      t.add(`Hi, I'm ${pick(FIRST)}. ${words(6)}. You can reach me at `).pii('email', email());
      t.add(' or call ')
        .pii('phone', phone())
        .add(`. ${words(5)}.`);
    },
  ],
  [
    'prompt.identity',
    'gen_ai.prompt',
    (t) => {
      t.add('Please update my records: SSN ')
        .pii('us_ssn', ssn())
        .add(', IBAN ')
        .pii('iban', iban());
      t.add(`, card `).pii('credit_card', card()).add('.');
    },
  ],
  [
    'prompt.bare_ssn',
    'gen_ai.prompt',
    (t) => {
      t.add(pick(['my social security number is ', 'SSN: ', 'ssn=', 'Social Security # '])).pii(
        'us_ssn',
        ssnParts().join(pick(['', '', '.'])),
      );
    },
  ],
  [
    'prompt.bare_phone',
    'gen_ai.prompt',
    (t) => {
      t.add(pick(['my phone is ', 'call me at ', 'mobile: ', 'tel ', 'text me on '])).pii(
        'phone',
        barePhone(),
      );
    },
  ],
  [
    'prompt.negatives',
    'gen_ai.prompt',
    (t) => {
      t.add(`Summarise run `)
        .neg('uuid', negative('uuid'))
        .add(` of model `)
        .neg('model', negative('model'));
      t.add(`: it used `)
        .neg('token_count', negative('token_count'))
        .add(` tokens over `)
        .neg('duration', negative('duration'));
      t.add(` and ended with status `)
        .neg('http_status', negative('http_status'))
        .add(` at `)
        .neg('iso_time', negative('iso_time'))
        .add('.');
    },
  ],
  [
    'tool.arguments',
    'gen_ai.tool.call.arguments',
    (t) => {
      t.add('{"customer_email": "')
        .pii('email', email())
        .add('", "order_id": "')
        .neg('id', negative('id'));
      t.add('", "phone": "')
        .pii('phone', phone())
        .add('", "limit": ')
        .neg('token_count', String(int(1, 50)))
        .add('}');
    },
  ],
  [
    'tool.payment',
    'gen_ai.tool.call.arguments',
    (t) => {
      t.add('{"amount": ')
        .neg('count', String(int(1, 9999)))
        .add(', "iban": "')
        .pii('iban', iban());
      t.add('", "reference": "')
        .neg('uuid', negative('uuid'))
        .add('", "requested_at": ')
        .neg('unix_ms', negative('unix_ms'))
        .add('}');
    },
  ],
  [
    'tool.result',
    'gen_ai.tool.call.result',
    (t) => {
      t.add('{"ok": true, "customer": {"name": "')
        .add(`${pick(FIRST)} ${pick(LAST)}`)
        .add('", "ssn": "')
        .pii('us_ssn', ssn());
      t.add('", "ip": "')
        .pii('ip_address', ip())
        .add('"}, "trace": "')
        .neg('trace_id', negative('trace_id'))
        .add('"}');
    },
  ],
  [
    'json.messages',
    'gen_ai.input.messages',
    (t) => {
      t.add('[{"role": "system", "content": "You are a support agent. Model ').neg(
        'model',
        negative('model'),
      );
      t.add('."}, {"role": "user", "content": "')
        .add(words(4))
        .add(' my card ')
        .pii('credit_card', card());
      t.add(' and email ').pii('email', email()).add('"}]');
    },
  ],
  [
    'json.usage',
    'llm.output_messages',
    (t) => {
      t.add('{"id": "')
        .neg('id', negative('id'))
        .add('", "model": "')
        .neg('model', negative('model'));
      t.add('", "created": ')
        .neg('unix_s', negative('unix_s'))
        .add(', "usage": {"prompt_tokens": ')
        .neg('token_count', negative('token_count'));
      t.add(', "completion_tokens": ')
        .neg('token_count', negative('token_count'))
        .add('}, "system_fingerprint": "fp_')
        .neg('git_sha', hex(10))
        .add('"}');
    },
  ],
  [
    'json.secret',
    'input.value',
    (t) => {
      t.add('{"username": "').add(pick(FIRST)).add('", "password": "').pii('secret', password());
      t.add('", "client_secret": "')
        .pii('secret', token(32))
        .add('", "max_tokens": ')
        .neg('token_count', negative('token_count'))
        .add('}');
    },
  ],
  [
    'sql.query',
    'db.query.text',
    (t) => {
      t.add(`SELECT id, status FROM customers WHERE email = '`)
        .pii('email', email())
        .add(`' OR phone = '`);
      t.pii('phone', phone())
        .add(`' LIMIT `)
        .neg('token_count', String(int(1, 100)));
    },
  ],
  [
    'net.addresses',
    'net.peer',
    (t) => {
      t.add('X-Forwarded-For: ')
        .pii('ip_address', ipv4())
        .add(', ')
        .pii('ip_address', ip())
        .add(' via ');
      t.neg('loopback', negative('loopback')).add(' host ').neg('hostname', negative('hostname'));
    },
  ],
  [
    'net.ipv6',
    'server.address',
    (t) => {
      const address = ipv6();
      t.add('listening on [').pii('ip_address', address).add(']:').neg('port', negative('port'));
      t.add(' mac ').neg('mac', negative('mac')).add(' since ').neg('time', negative('time'));
    },
  ],
  [
    'versions',
    'process.runtime.description',
    (t) => {
      t.neg('version_ip', negative('version_ip'))
        .add(' commit ')
        .neg('git_sha', negative('git_sha'));
      t.add(' Chrome/')
        .neg('version_ip', `${int(100, 130)}.0.${int(1000, 6999)}.${int(10, 250)}`)
        .add(' node v');
      t.neg('version', `${int(18, 22)}.${int(0, 20)}.${int(0, 9)}`)
        .add(' image ')
        .neg('image', negative('image'));
      t.add(' pkg ').neg('package', negative('package'));
    },
  ],
  [
    'ids',
    'app.ids',
    (t) => {
      const kinds = [
        'trace_id',
        'span_id',
        'uuid',
        'sha256',
        'sha1',
        'unix_s',
        'unix_ms',
        'unix_us',
        'unix_ns',
        'snowflake',
        'duration_ns',
        'count',
        'coordinates',
        'date',
        'ipv4_invalid',
      ];
      for (let i = 0; i < 4; i++) {
        const kind = pick(kinds);
        t.add(`${kind}=`).neg(kind, negative(kind)).add(' ');
      }
    },
  ],
  [
    'negatives.mixed',
    'log.message',
    (t) => {
      for (let i = 0; i < 5; i++) {
        const kind = anyNegative();
        t.add(`${pick(WORDS)} `)
          .neg(kind, negative(kind))
          .add(' ');
      }
    },
  ],
  [
    'prompt.varied',
    'gen_ai.prompt',
    (t) => {
      t.add(`Contact: <`)
        .pii('email', email())
        .add(`>; mailto:`)
        .pii('email', email())
        .add(`; tel:`)
        .pii('phone', phone());
      t.add(`; office `)
        .pii('phone', phone())
        .add(` ext. `)
        .neg('token_count', String(int(10, 999)))
        .add('.');
    },
  ],
  [
    'json.numbers',
    'gen_ai.tool.call.arguments',
    (t) => {
      t.add('{"card": ')
        .pii('credit_card', cardDigits())
        .add(', "ssn": "')
        .pii('us_ssn', ssnParts().join(''));
      t.add('", "created_ms": ')
        .neg('unix_ms', negative('unix_ms'))
        .add(', "qty": ')
        .neg('token_count', String(int(1, 9)))
        .add('}');
    },
  ],
  [
    'json.escaped',
    'output.value',
    (t) => {
      t.add('{"content": "Thanks!\\nYour ticket ')
        .neg('id', negative('id'))
        .add(' is open.\\nWe will email ');
      t.pii('email', email()).add(' or call ').pii('phone', phone()).add('.\\n"}');
    },
  ],
  [
    'json.ips',
    'net.allowlist',
    (t) => {
      t.add('{"allow": ["')
        .pii('ip_address', ipv4())
        .add('", "')
        .pii('ip_address', ipv6().toUpperCase())
        .add('"], "ttl_s": ');
      t.neg('token_count', String(int(60, 86400))).add('}');
    },
  ],
  [
    'negatives.numeric',
    'log.message',
    (t) => {
      const kinds = [
        'isbn',
        'tracking',
        'oid',
        'decimal',
        'score',
        'euro_amount',
        'elapsed',
        'semver_build',
        'bytes',
        'cidr_private_build',
        'card_bad_issuer',
        'version_ip',
        'snowflake',
        'unix_us',
      ];
      for (let i = 0; i < 4; i++) {
        const kind = pick(kinds);
        t.add(`${pick(WORDS)} `)
          .neg(kind, negative(kind))
          .add(', ');
      }
    },
  ],
  [
    'key.phone',
    'user.phone',
    (t) => {
      t.pii('phone', barePhone());
    },
  ],
  [
    'key.slack',
    'notify.webhook',
    (t) => {
      t.add('posting with ')
        .pii('api_key', apiKey())
        .add(' to channel C')
        .neg('git_sha', hex(8).toUpperCase());
    },
  ],
  [
    'jwt.cookie',
    'session.debug',
    (t) => {
      t.add('session=')
        .pii('jwt', jwt())
        .add('; Path=/; Max-Age=')
        .neg('duration_ns', String(int(600, 86400)));
    },
  ],
];

// ---- build ----

const records = [];
for (let i = 0; i < RECORDS; i++) {
  const [name, key, build] = TEMPLATES[i % TEMPLATES.length];
  const t = new Text();
  build(t);
  records.push({
    id: `${name}#${i}`,
    template: name,
    key,
    text: t.text,
    entities: t.entities,
    negatives: t.negatives,
  });
}
const output = records.map((r) => JSON.stringify(r)).join('\n') + '\n';

if (process.argv.includes('--check')) {
  const current = readFileSync(OUTPUT, 'utf8');
  if (current !== output) {
    console.error(
      'eval/pii/corpus.jsonl differs from what generate.mjs produces; run: node eval/pii/generate.mjs',
    );
    process.exit(1);
  }
  console.log('eval/pii/corpus.jsonl is up to date');
} else {
  writeFileSync(OUTPUT, output);
  const entities = records.reduce((n, r) => n + r.entities.length, 0);
  const negatives = records.reduce((n, r) => n + r.negatives.length, 0);
  console.log(
    `wrote eval/pii/corpus.jsonl: ${records.length} texts, ${entities} labelled values, ${negatives} hard negatives`,
  );
}
