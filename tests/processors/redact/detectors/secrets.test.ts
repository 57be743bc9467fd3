import { describe, expect, it } from 'vitest';
import { apiKeyDetector } from '../../../../src/processors/redact/detectors/api-key.js';
import { bearerTokenDetector } from '../../../../src/processors/redact/detectors/bearer-token.js';
import { jwtDetector } from '../../../../src/processors/redact/detectors/jwt.js';
import { privateKeyDetector } from '../../../../src/processors/redact/detectors/private-key.js';
import { secretAssignmentDetector } from '../../../../src/processors/redact/detectors/secret-assignment.js';
import { urlCredentialsDetector } from '../../../../src/processors/redact/detectors/url-credentials.js';
import { found } from '../helpers.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'user_42', iat: 1700000000 })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

describe('apiKeyDetector', () => {
  it.each([
    ['OpenAI project', 'sk-proj-AbCdEf0123456789_abcdEFGH-ijklmnop'],
    ['OpenAI legacy', 'sk-AbCdEf0123456789AbCdEf0123456789AbCdEf0123'],
    ['Anthropic', `sk-ant-api03-${'Ab1_'.repeat(24)}AA`],
    ['GitHub classic', 'ghp_1234567890abcdefghijABCDEFGHIJ123456'],
    ['GitHub fine-grained', `github_pat_11ABCDEFG0123456789_${'aB3'.repeat(19)}`],
    ['Slack bot', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['Google API key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['Stripe', 'sk_live_51H8abcdEFGHijklMNOPqrst'],
    ['GitLab', 'glpat-xxxxXXXX1234yyyyYYYY'],
    ['Hugging Face', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567'],
  ])('finds a %s key', (_vendor, key) => {
    expect(found(apiKeyDetector, `Incorrect API key provided: ${key}.`)).toEqual([key]);
    expect(found(apiKeyDetector, `OPENAI_API_KEY=${key}`)).toEqual([key]);
  });

  it.each([
    ['a word with the prefix', 'sk-learn-compatible-transformer and risk-assessment-pipeline'],
    ['a lower-case sk- word', 'sk-abcdefghijklmnopqrstuvwxyz'],
    ['a short prefixed id', 'ghp_short and hf_model'],
    ['a prefix inside a word', 'task-AbCdEf0123456789AbCdEf0123'],
    ['model names', 'gpt-4o-2024-08-06 claude-sonnet-4-20250514'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(apiKeyDetector, text)).toEqual([]);
  });
});

describe('jwtDetector', () => {
  it('finds a token whose header decodes to a JOSE header', () => {
    expect(found(jwtDetector, `token=${JWT}; Path=/`)).toEqual([JWT]);
  });

  it('finds an unsigned token', () => {
    const unsigned = `${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.`;
    expect(found(jwtDetector, `t ${unsigned} end`)).toEqual([unsigned]);
  });

  it('leaves a look-alike whose header is not a JOSE header', () => {
    const fake = `${b64url({ hello: 'world' })}.${b64url({ sub: 'x' })}.abc`;
    expect(found(jwtDetector, fake)).toEqual([]);
  });
});

describe('bearerTokenDetector', () => {
  it.each([
    ['Authorization: Bearer abc123DEF456ghi789', 'abc123DEF456ghi789'],
    ['authorization: bearer ya29.a0AfH6SMBxyz-123_abc', 'ya29.a0AfH6SMBxyz-123_abc'],
    [`"authorization": "Bearer ${JWT}"`, JWT],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['retrying with Bearer Zx9Yw8Vu7Ts6Rq5Po4', 'Zx9Yw8Vu7Ts6Rq5Po4'],
  ])('finds the credential in %j', (text, credential) => {
    expect(found(bearerTokenDetector, text)).toEqual([credential]);
  });

  it.each(['bearer authentication failed', 'Authorization: required', 'the bearer token expired'])(
    'leaves %j alone',
    (text) => {
      expect(found(bearerTokenDetector, text)).toEqual([]);
    },
  );
});

describe('urlCredentialsDetector', () => {
  it.each([
    ['postgres://app:s3cret@db.internal:5432/app', 'app:s3cret'],
    ['https://x-access-token:ghs_abc123@github.com/org/repo.git', 'x-access-token:ghs_abc123'],
    ['redis://:p4ss@cache:6379/0', ':p4ss'],
    ['amqp://guest:pa#ss?1@rabbit:5672/', 'guest:pa#ss?1'],
    ['mongodb+srv://admin:Secr3t@cluster0.example.net/db', 'admin:Secr3t'],
  ])('finds the user info of %s', (url, userInfo) => {
    expect(found(urlCredentialsDetector, `connecting to ${url} now`)).toEqual([userInfo]);
  });

  it.each([
    'https://user@example.com/path',
    'https://example.com/login?next=a:b@c',
    'https://example.com/@user:status',
    'ssh git@github.com:org/repo.git',
  ])('leaves %s alone', (text) => {
    expect(found(urlCredentialsDetector, text)).toEqual([]);
  });
});

describe('secretAssignmentDetector', () => {
  it.each([
    ['password=hunter22', 'hunter22'],
    ['DB_PASSWORD=Xy7!abc', 'Xy7!abc'],
    ['Server=db;User Id=sa;Password=Pa55w0rd!;Timeout=30', 'Pa55w0rd!'],
    ['{"client_secret": "abcd1234efgh"}', 'abcd1234efgh'],
    ['{\\"api_key\\":\\"zz99yy88\\"}', 'zz99yy88'],
    ['https://example.com/cb?token=abc123def&state=x', 'abc123def'],
    ["access_token: 'q1w2e3r4'", 'q1w2e3r4'],
    ['{"signing_key"\n: "k9x8c7v6"}', 'k9x8c7v6'],
    ['{"a": 1,\r\n  "encryption_key":\r\n    "k9x8c7v6"}', 'k9x8c7v6'],
    ['{\\"client_secret\\"\t:\n\\"k9x8c7v6\\"}', 'k9x8c7v6'],
  ])('finds the value in %j', (text, value) => {
    expect(found(secretAssignmentDetector, text)).toEqual([value]);
  });

  it('takes a one-word value of an attribute named like a secret whole', () => {
    expect(found(secretAssignmentDetector, 'hunter22', 'db.password')).toEqual(['hunter22']);
    expect(found(secretAssignmentDetector, 'abc', 'client_secret')).toEqual(['abc']);
  });

  it.each([
    ['a token count', '"max_tokens": 4096, "input_tokens": 12'],
    ['a log-probability token', '{"token": "Hello", "logprob": -0.1}'],
    ['a placeholder', 'password=******** secret=<redacted> api_key=${OPENAI_API_KEY}'],
    ['a key that only mentions a secret', 'secret_name=db-creds passwordless=true'],
    ['prose', 'reset your password to continue'],
    ['a short number', 'secret: 12'],
    ['the next line after a bare key', 'forgot password:\nchanged it since'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(secretAssignmentDetector, text)).toEqual([]);
  });
});

describe('privateKeyDetector', () => {
  const body = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun';
  it('finds a PEM block from header to footer', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(found(privateKeyDetector, `key: ${pem} loaded`)).toEqual([pem]);
  });

  it('takes a block cut short to the end of its body', () => {
    const cut = `-----BEGIN PRIVATE KEY-----\\n${body}`;
    expect(found(privateKeyDetector, `${cut}`)).toEqual([cut]);
  });

  it('leaves public keys alone', () => {
    expect(
      found(privateKeyDetector, `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`),
    ).toEqual([]);
  });
});
