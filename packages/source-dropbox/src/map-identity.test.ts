import { describe, expect, it } from 'vitest';
import { mapIdentity } from './map-identity.js';
import { mapMembers, toSortedAcl } from './map-members.js';

describe('mapIdentity', () => {
  it('builds the identity with prefixed values, and group tokens only when asked', () => {
    const profile = {
      email: 'ada@example.com',
      account_id: 'dbid:AAA',
      name: { display_name: 'Ada Admin' },
      groups: ['g:1', 'g:2'],
    };
    expect(mapIdentity(profile, false)).toEqual({
      _id: 'ada@example.com',
      identity: { email: 'email:ada@example.com', username: 'user:Ada Admin', user_id: 'user_id:dbid:AAA' },
      access_control: ['email:ada@example.com', 'user:Ada Admin', 'user_id:dbid:AAA'],
    });
    expect(mapIdentity(profile, true).access_control.slice(3)).toEqual(['group:g:1', 'group:g:2']);
  });

  it('leaves out the user entry for an empty display name and user_id for invited members', () => {
    expect(mapIdentity({ email: 'eve@example.com', name: { display_name: '' } }, false)).toEqual({
      _id: 'eve@example.com',
      identity: { email: 'email:eve@example.com' },
      access_control: ['email:eve@example.com'],
    });
  });
});

describe('mapMembers', () => {
  it('prefixes users, invitees and (optionally) groups; drops entries without identifiers', () => {
    const members = {
      users: [{ user: { account_id: 'dbid:A' } }, { user: {} }],
      invitees: [{ invitee: { '.tag': 'email', email: 'x@y.z' } }],
      groups: [{ group: { group_id: 'g:1' } }],
    };
    expect(mapMembers(members, false)).toEqual(['user_id:dbid:A', 'email:x@y.z']);
    expect(mapMembers(members, true)).toEqual(['user_id:dbid:A', 'email:x@y.z', 'group:g:1']);
    expect(toSortedAcl(['b', 'a'], ['a'])).toEqual(['a', 'b']);
  });
});
