import { describe, expect, it } from 'vitest';
import { isLicenseAtLeast } from './connector-api-control-plane.js';
import { checkClusterVersion } from './preflight.js';

describe('checkClusterVersion', () => {
  it('refuses clusters older than 8.15 unless the mismatch is allowed', () => {
    expect(checkClusterVersion({ version: '8.14.3', serverless: false }).level).toBe('error');
    expect(checkClusterVersion({ version: '8.14.3', serverless: false }, { allowMismatch: true }).level).toBe(
      'warning',
    );
    expect(checkClusterVersion({ version: '8.15.0', serverless: false }).level).toBe('ok');
  });

  it('applies the stack-version rules: major mismatch and older minor fail, newer minor warns', () => {
    expect(
      checkClusterVersion({ version: '9.1.0', serverless: false }, { stackVersion: '8.18.0' }).level,
    ).toBe('error');
    expect(
      checkClusterVersion({ version: '8.16.0', serverless: false }, { stackVersion: '8.18.0' }).level,
    ).toBe('error');
    expect(
      checkClusterVersion({ version: '8.19.0', serverless: false }, { stackVersion: '8.18.0' }).level,
    ).toBe('warning');
    expect(
      checkClusterVersion({ version: '8.18.0', serverless: false }, { stackVersion: '8.18.0' }).level,
    ).toBe('ok');
  });

  it('skips the checks on serverless', () => {
    expect(checkClusterVersion({ version: '8.0.0', serverless: true }).level).toBe('ok');
  });
});

describe('isLicenseAtLeast', () => {
  it('orders basic < gold < platinum < enterprise < trial and refuses expired licenses', () => {
    expect(isLicenseAtLeast({ type: 'platinum', status: 'active' }, 'platinum')).toBe(true);
    expect(isLicenseAtLeast({ type: 'trial', status: 'active' }, 'enterprise')).toBe(true);
    expect(isLicenseAtLeast({ type: 'gold', status: 'active' }, 'platinum')).toBe(false);
    expect(isLicenseAtLeast({ type: 'enterprise', status: 'expired' }, 'basic')).toBe(false);
  });
});
