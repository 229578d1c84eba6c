import { describe, expect, it } from 'vitest';
import { isPaperEntry, mapEntry, mapSharedLink, toFolderTimestamp } from './map-entry.js';

describe('mapEntry', () => {
  it('maps a file field for field (spec 6.1)', () => {
    expect(
      mapEntry({
        '.tag': 'file',
        id: 'id:2',
        name: 'index.py',
        path_display: '/test/dummy folder/index.py',
        size: 200,
        server_modified: '2023-01-01T06:06:06Z',
        client_modified: '2022-01-01T00:00:00Z',
      }),
    ).toEqual({
      _id: 'id:2',
      type: 'File',
      name: 'index.py',
      file_path: '/test/dummy folder/index.py',
      size: 200,
      _timestamp: '2023-01-01T06:06:06Z',
    });
  });

  it('uses server_modified for Paper docs too, so content changes are seen', () => {
    const doc = mapEntry({
      '.tag': 'file',
      id: 'id:p',
      name: 'Plan.PAPER',
      path_display: '/Plan.PAPER',
      size: 10,
      is_downloadable: false,
      server_modified: '2024-02-03T00:00:00Z',
      client_modified: '2024-01-01T00:00:00Z',
    });
    expect(doc._timestamp).toBe('2024-02-03T00:00:00Z');
  });

  it('gives folders size 0 and a stable timestamp that changes with the path or the ACL', () => {
    const folder = { '.tag': 'folder', id: 'id:1', name: 'dummy folder', path_display: '/test/dummy folder' };
    const a = mapEntry(folder);
    expect(a).toMatchObject({ _id: 'id:1', type: 'Folder', size: 0, file_path: '/test/dummy folder' });
    expect(mapEntry(folder)._timestamp).toBe(a._timestamp);
    expect(a._timestamp).toMatch(/^1970-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(mapEntry({ ...folder, path_display: '/moved' })._timestamp).not.toBe(a._timestamp);
    expect(toFolderTimestamp('id:1', '/x', ['user_id:a'])).not.toBe(
      toFolderTimestamp('id:1', '/x', ['user_id:b']),
    );
    expect(toFolderTimestamp('id:1', '/x', ['b', 'a'])).toBe(toFolderTimestamp('id:1', '/x', ['a', 'b']));
  });

  it('adds the ACL when given and refuses an entry without id', () => {
    expect(
      mapEntry({ '.tag': 'file', id: 'id:3', name: 'a', size: 1 }, ['user_id:x'])._allow_access_control,
    ).toEqual(['user_id:x']);
    expect(() => mapEntry({ '.tag': 'file', name: 'orphan' })).toThrow(/"orphan" has no id/);
  });

  it('detects Paper docs case-insensitively and only when not downloadable', () => {
    expect(isPaperEntry({ name: 'x.Paper', is_downloadable: false })).toBe(true);
    expect(isPaperEntry({ name: 'x.paper', is_downloadable: true })).toBe(false);
    expect(isPaperEntry({ name: 'paper', is_downloadable: false })).toBe(false);
  });
});

describe('mapSharedLink', () => {
  it('maps a received file with url and no file_path (spec 6.2)', () => {
    expect(
      mapSharedLink({
        id: 'id:1',
        name: 'index1.py',
        url: 'https://www.dropbox.com/scl/fi/a1xtoxyu0ux73pd7e77ul/index1.py?dl=0',
        size: 200,
        server_modified: '2023-01-01T06:06:06Z',
      }),
    ).toEqual({
      _id: 'id:1',
      type: 'File',
      name: 'index1.py',
      url: 'https://www.dropbox.com/scl/fi/a1xtoxyu0ux73pd7e77ul/index1.py?dl=0',
      size: 200,
      _timestamp: '2023-01-01T06:06:06Z',
    });
  });
});
