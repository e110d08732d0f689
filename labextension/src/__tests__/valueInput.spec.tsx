/**
 * @jest-environment jsdom
 *
 * The value field of every form (components/valueInput.tsx): masked one-line and multi-line
 * text with newlines kept exactly, a paste with line breaks that switches to multi-line, and
 * files loaded by the picker or a drop, whose content is never displayed; and the API fields
 * a value becomes (values.ts, format.ts `provideBody`).
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';
import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'util';

import { ValueInput } from '../components/valueInput';
import { draftOf, provideBody, slotBody } from '../format';
import { bytesToBase64, fileValue, IFileValue, SecretInput, valueBody } from '../values';
import { trans } from './helpers';

if (typeof (globalThis as any).TextDecoder === 'undefined') {
  (globalThis as any).TextDecoder = NodeTextDecoder; // jsdom has none
}
if (typeof (globalThis as any).TextEncoder === 'undefined') {
  (globalThis as any).TextEncoder = NodeTextEncoder;
}

/** A controlled field, as the forms hold it; `seen` records every value it was given. */
function Harness(props: { seen: SecretInput[] }): JSX.Element {
  const [value, setValue] = React.useState<SecretInput>('');
  return (
    <ValueInput
      id="v"
      value={value}
      onChange={v => {
        props.seen.push(v);
        setValue(v);
      }}
      trans={trans}
      testId="val"
    />
  );
}

const PEM = ['-----BEGIN TEST KEY-----', 'QUJD\r', 'REVG', '-----END TEST KEY-----', ''].join('\n');
/** What a textarea holds once edited: browsers report its line breaks as LF. */
const PEM_LF = PEM.replace(/\r/g, '');
const BINARY = new Uint8Array([0, 255, 254, 128, 10, 13, 0, 195]);

function last(seen: SecretInput[]): SecretInput {
  return seen[seen.length - 1];
}

describe('ValueInput', () => {
  it('is a masked one-line input with a show toggle', () => {
    const seen: SecretInput[] = [];
    render(<Harness seen={seen} />);
    const input = screen.getByTestId('val') as HTMLInputElement;
    expect(input.tagName).toBe('INPUT');
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 'one-line' } });
    fireEvent.click(screen.getByTestId('val-reveal'));
    expect((screen.getByTestId('val') as HTMLInputElement).type).toBe('text');
    expect(last(seen)).toBe('one-line');
  });

  it('keeps every newline of a multi-line value, masked until shown', () => {
    const seen: SecretInput[] = [];
    render(<Harness seen={seen} />);
    fireEvent.click(screen.getByTestId('val-multiline'));
    const area = screen.getByTestId('val') as HTMLTextAreaElement;
    expect(area.tagName).toBe('TEXTAREA');
    expect(area.className).toContain('jp-mod-masked');
    expect(area.getAttribute('data-masked')).toBe('true');
    fireEvent.change(area, { target: { value: PEM_LF } });
    expect(last(seen)).toBe(PEM_LF);
    expect(valueBody(last(seen))).toEqual({ value: PEM_LF });
    fireEvent.click(screen.getByTestId('val-reveal'));
    expect(screen.getByTestId('val').getAttribute('data-masked')).toBe('false');
    // back to one line would lose the newlines: not offered while there are some
    expect((screen.getByTestId('val-multiline') as HTMLButtonElement).disabled).toBe(true);
  });

  it('switches to multi-line when text with line breaks is pasted, keeping them (CRLF too)', () => {
    const seen: SecretInput[] = [];
    render(<Harness seen={seen} />);
    const input = screen.getByTestId('val') as HTMLInputElement;
    fireEvent.paste(input, { clipboardData: { getData: () => PEM } });
    expect(screen.getByTestId('val').tagName).toBe('TEXTAREA');
    expect(last(seen)).toBe(PEM);
  });

  it('loads a binary file from the picker without displaying it', async () => {
    const seen: SecretInput[] = [];
    const { container } = render(<Harness seen={seen} />);
    const file = new File([BINARY], 'keystore.p12');
    await act(async () => {
      fireEvent.change(screen.getByTestId('val-file-input'), { target: { files: [file] } });
    });
    await waitFor(() => expect(screen.getByTestId('val-file')).toBeTruthy());
    const value = last(seen) as IFileValue;
    expect(value.kind).toBe('file');
    expect(value.text).toBeUndefined();
    expect(valueBody(value)).toEqual({ value_base64: bytesToBase64(BINARY) });
    expect(screen.getByTestId('val-file').getAttribute('data-kind')).toBe('binary');
    expect(screen.getByTestId('val-file').textContent).toContain('keystore.p12');
    expect(container.textContent).not.toContain(bytesToBase64(BINARY));
    // no input holds the content either
    expect(container.querySelector('textarea')).toBeNull();
    fireEvent.click(screen.getByTestId('val-clear'));
    expect(last(seen)).toBe('');
    expect(screen.getByTestId('val').tagName).toBe('INPUT');
  });

  it('loads a dropped text file exactly, as text, without displaying it', async () => {
    const seen: SecretInput[] = [];
    const { container } = render(<Harness seen={seen} />);
    const file = new File([PEM], 'id_test.pem', { type: 'application/x-pem-file' });
    const zone = screen.getByTestId('val-drop');
    const dataTransfer = { files: [file], types: ['Files'], dropEffect: 'none' };
    fireEvent.dragEnter(zone, { dataTransfer });
    expect(zone.className).toContain('jp-mod-dropping');
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer });
    });
    await waitFor(() => expect(screen.getByTestId('val-file')).toBeTruthy());
    const value = last(seen) as IFileValue;
    expect(value.text).toBe(PEM);
    expect(value.size).toBe(new TextEncoder().encode(PEM).length);
    expect(valueBody(value)).toEqual({ value: PEM });
    expect(screen.getByTestId('val-file').getAttribute('data-kind')).toBe('text');
    expect(container.textContent).not.toContain('BEGIN TEST KEY');
    expect(zone.className).not.toContain('jp-mod-dropping');
  });
});

describe('value bodies', () => {
  it('sends text as value and bytes that are not UTF-8 as value_base64', () => {
    expect(valueBody('a\r\nb')).toEqual({ value: 'a\r\nb' });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
    expect(valueBody(fileValue('bom.txt', bom))).toEqual({ value: '\ufeffA' }); // BOM kept
    expect(valueBody(fileValue('bin', BINARY))).toEqual({ value_base64: 'AP/+gAoNAMM=' });
  });

  it('is what provideBody puts in PUT .../value', () => {
    const file = fileValue('bin', BINARY);
    expect(provideBody({ mode: 'new', value: file, secretId: '' })).toEqual({
      body: { value_base64: 'AP/+gAoNAMM=' }
    });
    expect(provideBody({ mode: 'new', value: '', secretId: '' }).error).toBeTruthy();
    expect(provideBody({ mode: 'new', value: 'x\n', secretId: '' })).toEqual({
      body: { value: 'x\n' }
    });
  });
});

describe('the env_file field of a slot', () => {
  it('is sent when set, and null when cleared', () => {
    const draft = { name: 'PG', description: '', filename: 'pgpass', env: '' };
    expect(slotBody({ ...draft, env_file: ' PGPASSFILE ' })).toEqual({
      name: 'PG',
      filename: 'pgpass',
      env_file: 'PGPASSFILE'
    });
    const original = { ...draft, env: null, env_file: 'PGPASSFILE' };
    expect(draftOf(original).env_file).toBe('PGPASSFILE');
    expect(slotBody({ ...draftOf(original), env_file: '' }, original)).toEqual({
      env_file: null
    });
  });
});
