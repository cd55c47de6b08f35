#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden traces of the example programs, and their dump at exit.

    check_golden.py --run RUN --golden-dir DIR [--runs N] [--update]
                    [--arg NAME=ARG...] NAME=PROG [NAME=PROG...]

For each example NAME (built as PROG, run with the ARGs given for NAME by
--arg, in order; one program may so be several examples), under RUN
(uiommufd-run):

  - the text trace (--trace=FILE --trace-format=text), normalised, must equal
    DIR/NAME.trace.txt;
  - the JSON trace (--trace-format=json): every line must parse as one JSON
    object, name the same call as the text line of the same rank, and,
    normalised, equal DIR/NAME.trace.jsonl-normalised;
  - the dump at exit (--dump-on-exit=FILE, text, and FILE.json, JSON): every
    example closes its iommufd before it returns, and a process with no live
    context at exit writes nothing (man/uiommufd_dump.3), so the check is
    that nothing is written: an absent FILE is not created and an existing
    one keeps its bytes. There are no dump goldens for that reason; the
    dump's own output is tested on a known object graph in tests/dump. An
    example that comes to leave state at exit fails here, saying so.
  - PROG exits 0 and nothing is written on stderr.

Normalised (the same rules for both formats; see normalise_*()):
  - pids and tids become P1, T1, ... in order of first appearance;
  - user pointers (user_va, vaddr, allowed_iovas, data_uptr, data, uptr,
    the raw argument and read/write buffers) become 0xADDR, except values
    below 0x10000, which are deliberate bad pointers or NULL;
  - IOVAs the engine chose (IOAS_MAP and IOAS_MAP_FILE without FIXED_IOVA,
    IOAS_COPY's dst_iova without it) follow the alignment of the user
    address, so they become IOVA_A, IOVA_B, ... and every later IOVA inside
    such a mapping (iova, src_iova, dst_iova fields and [first, last] ranges
    in the reasons) is written relative to it: IOVA_A+0xfff.
Fixed IOVAs, lengths, object ids and fd numbers are kept: they are the
program's choices or the engine's deterministic ones. The traces carry no
timestamps.

--runs N runs each trace N times and fails unless the normalised outputs are
identical (nondeterminism that normalisation does not cover).

--update rewrites the golden files from this run instead of comparing (with
at least 3 runs, which must agree). The tests never update. To regenerate
after a deliberate change of an example or of the trace format:

    ninja -C build
    python3 tests/golden/check_golden.py --update --run build/uiommufd-run \\
        --golden-dir tests/golden \\
        ioas-walk=build/examples/ioas-walk \\
        type1-container=build/examples/type1-container \\
        vmm-flow=build/examples/vmm-flow \\
        dma-device=build/examples/dma-device \\
        nested-viommu=build/examples/nested-viommu \\
        --arg nested-viommu-vtd=vtd \\
        nested-viommu-vtd=build/examples/nested-viommu

then read the diff (git diff tests/golden) before committing it.

Exit 0 pass, 1 fail (every failed expectation is printed).
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

failures = 0


def expect(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f'FAIL: {what}')
    return cond


# ---- normalisation ----

PTR_KEYS = ('user_va', 'vaddr', 'allowed_iovas', 'data_uptr', 'data', 'uptr')
# below this a pointer is NULL or a deliberately bad one (0x10): kept
PTR_MIN = 0x10000
IOVA_KEYS = ('iova', 'src_iova', 'dst_iova')
# the IOAS an IOVA key lives in, in the same call
IOVA_IOAS_KEY = {'iova': 'ioas_id', 'src_iova': 'src_ioas_id',
                 'dst_iova': 'dst_ioas_id'}
# ioctls that choose an IOVA unless FIXED_IOVA: name -> the output key
AUTO_IOVA = {'IOMMU_IOAS_MAP': 'iova', 'IOMMU_IOAS_MAP_FILE': 'iova',
             'IOMMU_IOAS_COPY': 'dst_iova'}


def hex_ptr(v):
    try:
        n = int(v, 16)
    except (TypeError, ValueError):
        return v  # a symbol (VFIO_TYPE1v2_IOMMU), not a pointer
    return v if n < PTR_MIN else '0xADDR'


class Ids:
    """pids and tids, numbered in order of first appearance."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.seen = {}

    def __call__(self, v):
        return self.seen.setdefault(v, f'{self.prefix}{len(self.seen) + 1}')


class AutoIovas:
    """The mappings whose IOVA the engine chose, named IOVA_A, IOVA_B, ..."""

    def __init__(self):
        self.maps = []  # (name, ioas, first, last)

    def add(self, ioas, iova, length):
        name = 'IOVA_' + chr(ord('A') + len(self.maps))
        self.maps.append((name, ioas, iova, iova + max(length, 1) - 1))
        return name

    def sym(self, v, ioas=None):
        """v relative to the mapping holding it (in @ioas first, else the
        latest), or None when no chosen mapping holds it."""
        hits = [m for m in self.maps if m[2] <= v <= m[3]]
        if not hits:
            return None
        same = [m for m in hits if m[1] == ioas]
        name, _, first, _ = (same or hits)[-1]
        return name if v == first else f'{name}+0x{v - first:x}'

    def sub_ranges(self, text, ioas=None):
        """[first, last] ranges in a reason, relative where they fall in a
        chosen mapping."""
        def one(m):
            out = []
            for h in (m.group(1), m.group(2)):
                s = self.sym(int(h, 16), ioas)
                out.append(s if s else h)
            return f'[{out[0]}, {out[1]}]'
        return re.sub(r'\[(0x[0-9a-f]+), (0x[0-9a-f]+)\]', one, text)


LINE_RE = re.compile(r'^\[(\d+):(\d+)\] (.*)$')
IOCTL_RE = re.compile(r'^ioctl\((\d+), ([A-Za-z0-9_]+|_IOC\([^)]*\))')
# ") = " ends the arguments: text before it is the input, after it the result
RESULT_SEP = ') = '


def text_field(text, key):
    m = re.search(r'[{ ]' + key + r'=([^,}]+)', text)
    return m.group(1) if m else None


def text_int(text, key):
    v = text_field(text, key)
    try:
        return int(v, 0) if v is not None else None
    except ValueError:
        return None


def normalise_text(lines):
    pids, tids, iovas = Ids('P'), Ids('T'), AutoIovas()
    out = []
    for line in lines:
        m = LINE_RE.match(line)
        if not expect(m, f'text line without [pid:tid]: {line}'):
            out.append(line)
            continue
        body = m.group(3)
        # pointers: the named fields, then the positional ones
        body = re.sub(r'\b(' + '|'.join(PTR_KEYS) + r')=(0x[0-9a-f]+)',
                      lambda p: f'{p.group(1)}={hex_ptr(p.group(2))}', body)
        body = re.sub(r'^((?:read|write)\(\d+, )(0x[0-9a-f]+)',
                      lambda p: p.group(1) + hex_ptr(p.group(2)), body)
        body = re.sub(r'^(ioctl\(\d+, (?:_IOC\([^)]*\)|[A-Za-z0-9_]+), )'
                      r'(0x[0-9a-f]+)(\)| \(unreadable\)\))',
                      lambda p: p.group(1) + hex_ptr(p.group(2)) +
                      p.group(3), body)

        # IOVAs the engine chose, and those inside their mappings
        im = IOCTL_RE.match(body)
        name = im.group(2) if im else None
        head, sep, tail = body.partition(RESULT_SEP)
        skip_in = None
        if name in AUTO_IOVA and sep:
            flags = text_field(head, 'flags') or ''
            key = AUTO_IOVA[name]
            got = text_int(tail, key) if '-> {' in tail else None
            if 'FIXED_IOVA' not in flags.split('|'):
                skip_in = key  # an input the engine ignores
                if got is not None:
                    iovas.add(text_int(head, IOVA_IOAS_KEY[key]), got,
                              text_int(head, 'length') or 0)

        def sub_iova(part, skip):
            def one(p):
                key, v = p.group(2), int(p.group(3), 16)
                s = None if key == skip else iovas.sym(
                    v, text_int(head, IOVA_IOAS_KEY[key]))
                return p.group(1) + key + '=' + (s if s else p.group(3))
            return re.sub(r'([{ ])(' + '|'.join(IOVA_KEYS) +
                          r')=(0x[0-9a-f]+)', one, part)

        if sep:
            head = sub_iova(head, skip_in)
            tail = sub_iova(tail, None)
            tail = iovas.sub_ranges(tail, text_int(head, 'ioas_id'))
            body = head + sep + tail
        out.append(f'[{pids(m.group(1))}:{tids(m.group(2))}] {body}\n')
    return out


def normalise_json_obj(o, pids, tids, iovas):
    o['pid'] = pids(o.get('pid'))
    o['tid'] = tids(o.get('tid'))
    for k in ('arg', 'buf'):
        if isinstance(o.get(k), str):
            o[k] = hex_ptr(o[k])
    inp = o.get('in') if isinstance(o.get('in'), dict) else {}
    out = o.get('out') if isinstance(o.get('out'), dict) else {}
    for k in PTR_KEYS:
        if isinstance(inp.get(k), str):
            inp[k] = hex_ptr(inp[k])

    name = o.get('name')
    skip_in = None
    if name in AUTO_IOVA and 'FIXED_IOVA' not in str(
            inp.get('flags', '')).split('|'):
        key = AUTO_IOVA[name]
        skip_in = key
        if isinstance(out.get(key), int):
            iovas.add(inp.get(IOVA_IOAS_KEY[key]), out[key],
                      inp.get('length') or 0)
    for d, skip in ((inp, skip_in), (out, None)):
        for k in IOVA_KEYS:
            if k != skip and isinstance(d.get(k), int):
                s = iovas.sym(d[k], inp.get(IOVA_IOAS_KEY[k]))
                if s:
                    d[k] = s
    if isinstance(o.get('reason'), str):
        o['reason'] = iovas.sub_ranges(o['reason'], inp.get('ioas_id'))
    return o


def parse_json(lines):
    objs = []
    for i, line in enumerate(lines, 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            expect(False, f'JSON line {i} does not parse ({e}): {line}')
            continue
        if expect(isinstance(o, dict) and isinstance(o.get('pid'), int) and
                  isinstance(o.get('tid'), int) and 'call' in o,
                  f'JSON line {i} is not a call with pid and tid: {line}'):
            objs.append(o)
    return objs


def normalise_json(objs):
    pids, tids, iovas = Ids('P'), Ids('T'), AutoIovas()
    return [json.dumps(normalise_json_obj(json.loads(json.dumps(o)), pids,
                                          tids, iovas),
                       separators=(',', ':')) + '\n' for o in objs]


# ---- running the examples ----

def run(args, prog, opts, tmp, prog_args=()):
    env = dict(os.environ)
    # the options below decide what is traced and dumped, not the caller's
    # environment
    for k in list(env):
        if k.startswith('UIOMMUFD_'):
            del env[k]
    cmd = [args.run] + opts + ['--', prog] + list(prog_args)
    p = subprocess.run(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=100)
    expect(p.returncode == 0, f'{" ".join(cmd)}: exit {p.returncode}\n'
           f'stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}')
    expect(p.stderr == '', f'{" ".join(cmd)}: stderr: {p.stderr[-2000:]}')
    return p


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


SENTINEL = 'not a dump: an empty dump at exit must leave this file alone\n'


def check_dump_untouched(name, path, existed):
    """The documented behaviour for a process without live contexts."""
    got = None
    if os.path.exists(path):
        with open(path) as f:
            got = f.read()
    expect(got == (SENTINEL if existed else None),
           f'{name}: --dump-on-exit={path} was written, so the example '
           f'leaves state at exit: this test then needs dump goldens (and '
           f'their normalisation) instead of this check:\n'
           f'{(got or "")[:2000]}')


def trace_once(args, name, prog, tmp, i):
    """One text and one JSON run: their normalised lines."""
    txt = os.path.join(tmp, f'{name}.{i}.trace.txt')
    jsn = os.path.join(tmp, f'{name}.{i}.trace.jsonl')
    dump_txt = os.path.join(tmp, f'{name}.{i}.dump.txt')
    dump_json = os.path.join(tmp, f'{name}.{i}.dump.json')
    with open(dump_json, 'w') as f:
        f.write(SENTINEL)

    prog_args = args.prog_args.get(name, [])
    run(args, prog, [f'--trace={txt}', '--trace-format=text',
                     f'--dump-on-exit={dump_txt}'], tmp, prog_args)
    check_dump_untouched(name, dump_txt, existed=False)
    run(args, prog, [f'--trace={jsn}', '--trace-format=json',
                     f'--dump-on-exit={dump_json}'], tmp, prog_args)
    check_dump_untouched(name, dump_json, existed=True)

    tlines = read_lines(txt) if os.path.exists(txt) else []
    objs = parse_json(read_lines(jsn)) if os.path.exists(jsn) else []
    expect(tlines, f'{name}: an empty text trace')
    # the two formats describe the same calls
    expect(len(tlines) == len(objs), f'{name}: {len(tlines)} text lines, '
           f'{len(objs)} JSON lines')
    for t, o in zip(tlines, objs):
        body = (LINE_RE.match(t) or [None, None, None, t])[3]
        same = body.startswith(f'{o.get("call")}(')
        if o.get('name'):
            same = same and f', {o["name"]}' in body
        if o.get('errno'):
            same = same and f' = -{o["errno"]}' in body
        if not expect(same, f'{name}: text and JSON differ:\n  {t}\n  {o}'):
            break
    return normalise_text(tlines), normalise_json(objs)


def compare_or_update(args, path, got):
    if args.update:
        with open(path, 'w') as f:
            f.writelines(got)
        print(f'wrote {path}')
        return
    try:
        with open(path) as f:
            want = f.readlines()
    except FileNotFoundError:
        expect(False, f'no golden {path} (run with --update)')
        return
    diff = list(difflib.unified_diff(want, got, path, 'this run'))
    expect(not diff, f'differs from {path}:\n' + ''.join(diff))


def check_example(args, name, prog, tmp):
    runs = [trace_once(args, name, prog, tmp, i) for i in range(args.runs)]
    for i, r in enumerate(runs[1:], 2):
        for fmt, a, b in (('text', runs[0][0], r[0]),
                          ('JSON', runs[0][1], r[1])):
            diff = list(difflib.unified_diff(a, b, 'run 1', f'run {i}'))
            expect(not diff, f'{name}: the {fmt} trace is not deterministic '
                   f'after normalisation:\n' + ''.join(diff))
    if failures and args.update:
        print(f'{name}: not updating the goldens')
        return
    txt, jsn = runs[0]
    compare_or_update(args, os.path.join(args.golden_dir,
                                         f'{name}.trace.txt'), txt)
    compare_or_update(args, os.path.join(args.golden_dir,
                                         f'{name}.trace.jsonl-normalised'),
                      jsn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--run', required=True, help='uiommufd-run')
    ap.add_argument('--golden-dir', required=True)
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--update', action='store_true')
    ap.add_argument('--arg', action='append', default=[], metavar='NAME=ARG',
                    help="append ARG to example NAME's command line")
    ap.add_argument('examples', nargs='+', metavar='NAME=PROG')
    args = ap.parse_intermixed_args()
    args.prog_args = {}
    for a in args.arg:
        name, sep, val = a.partition('=')
        if not sep or not name:
            ap.error(f'--arg {a}: not NAME=ARG')
        args.prog_args.setdefault(name, []).append(val)
    names = {ex.partition('=')[0] for ex in args.examples}
    for name in args.prog_args:
        if name not in names:
            ap.error(f'--arg {name}=...: no example {name}')
    if args.update:
        args.runs = max(args.runs, 3)
    # meson gives paths relative to the build directory; the runs chdir
    args.run = os.path.abspath(args.run)
    args.golden_dir = os.path.abspath(args.golden_dir)
    with tempfile.TemporaryDirectory(prefix='uiommufd-golden-') as tmp:
        for ex in args.examples:
            name, sep, prog = ex.partition('=')
            if not sep or not name or not prog:
                ap.error(f'{ex}: not NAME=PROG')
            before = failures
            check_example(args, name, os.path.abspath(prog), tmp)
            print(f'{name}: {"ok" if failures == before else "FAILED"}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
