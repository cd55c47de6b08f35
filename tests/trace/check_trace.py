#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of the decoded trace and of the uiommufd-run options.

    check_trace.py CHECK --run RUN --prog PROG --inproc PROG_INPROC
                   --preload SHIM --golden GOLDEN --escape ESCAPE [--update]

Each CHECK runs trace_prog (PROG under RUN, or PROG_INPROC on its own) and
reads what it wrote. Exit 0 pass, 1 fail (every failed expectation is
printed). --update rewrites GOLDEN from this run instead of comparing.
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
LINE_RE = re.compile(r'^\[(\d+):(\d+)\] ')


def expect(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f'FAIL: {what}')
    return cond


def run(cmd, env=None, expect_rc=0):
    full_env = dict(os.environ)
    # the checks decide what is traced, not the caller's environment
    for k in list(full_env):
        if k.startswith('UIOMMUFD_'):
            del full_env[k]
    full_env.update(env or {})
    p = subprocess.run(cmd, env=full_env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=100)
    if expect_rc is not None:
        expect(p.returncode == expect_rc,
               f'{" ".join(cmd)}: exit {p.returncode}, expected {expect_rc}'
               f'\nstdout: {p.stdout}\nstderr: {p.stderr[-2000:]}')
    return p


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def find(lines, *parts):
    """The first line that contains every part, or None."""
    for line in lines:
        if all(p in line for p in parts):
            return line
    return None


def expect_line(lines, *parts):
    line = find(lines, *parts)
    expect(line is not None, 'no trace line with ' + ' and '.join(
        repr(p) for p in parts))
    return line


# ---- the basic program, text ----

def check_text_basic(lines, fd_name='3'):
    """What trace_prog basic must show in text, wherever it was traced."""
    for line in lines:
        if not expect(LINE_RE.match(line), f'line without [pid:tid]: {line}'):
            break
    expect_line(lines, '] open(O_CLOEXEC) = ')
    expect_line(lines, 'ioctl(', 'IOMMU_IOAS_ALLOC, {size=12, flags=0}) = 0 '
                '-> {out_ioas_id=1}')
    # the selftest command by op, with its union member's fields
    expect_line(lines, 'IOMMU_TEST_CMD, {size=', 'op=ADD_RESERVED, id=1, '
                'start=0x1000000, length=0x100000}) = 0')
    # flags symbolically, and the reason of the failure in words
    line = expect_line(lines, 'IOMMU_IOAS_MAP, {size=40, '
                       'flags=FIXED_IOVA|WRITEABLE|READABLE, ioas_id=1, '
                       'user_va=0x', 'iova=0x1000000}) = -EINVAL (')
    if line:
        expect('reserved' in line, f'MAP reason names the reserved range: '
               f'{line}')
    expect_line(lines, 'IOMMU_IOAS_MAP, {size=40, flags=READABLE, ioas_id=1',
                ' = 0 -> {iova=0x')
    # a fixed IOVA is not an output
    line = expect_line(lines, 'flags=FIXED_IOVA|WRITEABLE|READABLE',
                       'iova=0x2000000}) = 0')
    if line:
        expect('->' not in line, f'no output for a fixed map: {line}')
    # EMSGSIZE still reports the count; the second call lists the ranges
    line = expect_line(lines, 'IOMMU_IOAS_IOVA_RANGES, {size=32, ioas_id=1, '
                       'num_iovas=0, allowed_iovas=0x',
                       '= -EMSGSIZE -> {num_iovas=2, out_iova_alignment=0x1}')
    expect_line(lines, 'IOMMU_IOAS_IOVA_RANGES, {size=32, ioas_id=1, '
                'num_iovas=4', '= 0 -> {num_iovas=2, out_iova_alignment=0x1, '
                'iovas=[{start=0x0, last=0xffffff}, '
                '{start=0x1100000, last=0xffffffffffffffff}]}')
    # only the fields inside the caller's size, and the reason says why
    expect_line(lines, 'IOMMU_IOAS_UNMAP, {size=23, ioas_id=1, '
                'iova=0x2000000}) = -EINVAL (', 'size 23 < minimum 24)')
    # a bad pointer is EFAULT, for the call and for the trace
    expect_line(lines, 'IOMMU_IOAS_ALLOC, 0x10 (unreadable)) = -EFAULT (')
    expect_line(lines, 'IOMMU_IOAS_ALLOW_IOVAS, {size=24, ioas_id=1, '
                'num_iovas=2, allowed_iovas=0x20, iovas_unreadable=true}) = -EFAULT (')
    expect_line(lines, 'IOMMU_IOAS_ALLOW_IOVAS, {', 'iovas=[{start=0x2000000, '
                'last=0x2ffffff}, {start=0x4000000, last=0x4ffffff}]}) = 0')
    expect_line(lines, 'IOMMU_OPTION, {size=24, option_id=HUGE_PAGES, op=GET, '
                'object_id=1}) = 0 -> {val64=1}')
    expect_line(lines, 'op=MOCK_DOMAIN, id=2}) = 0 -> {out_stdev_id=',
                'out_hwpt_id=', 'out_idev_id=')
    expect_line(lines, 'IOMMU_HWPT_ALLOC, {size=48, '
                'flags=NEST_PARENT|DIRTY_TRACKING', 'data_type=NONE',
                ' = 0 -> {out_hwpt_id=')
    expect_line(lines, 'IOMMU_GET_HW_INFO, {', ' = 0 -> {data_len=8, '
                'out_data_type=SELFTEST, out_max_pasid_log2=0, '
                'out_capabilities=DIRTY_TRACKING}')
    expect_line(lines, 'IOMMU_VFIO_IOAS, {size=12, ioas_id=1, op=SET}) = 0')
    expect_line(lines, 'VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) = 1')
    expect_line(lines, 'VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) = 0')
    expect_line(lines, 'VFIO_IOMMU_MAP_DMA, {argsz=32, flags=READ|WRITE, '
                'vaddr=0x', 'iova=0x4000000, size=0x2000}) = 0')
    expect_line(lines, 'VFIO_IOMMU_UNMAP_DMA, {argsz=24, flags=0, '
                'iova=0x4000000, size=0x2000}) = 0 -> {size=0x2000}')
    expect_line(lines, 'IOMMU_IOAS_UNMAP, {size=24, ioas_id=1, iova=0x0, '
                'length=0xffffffffffffffff}) = 0 -> {length=0x8000}')
    expect_line(lines, 'IOMMU_TEST_CMD, {size=72, op=DMABUF_GET, id=0, '
                'length=0x0, open_flags=0}) = -EINVAL (dma-buf length is 0)')
    expect_line(lines, 'IOMMU_VDEVICE_TSM_OP, {', ' = -EOPNOTSUPP (',
                'TSM is not implemented)')
    expect_line(lines, '_IOC(0x3, 0x3b, 0xfe, 0x8), 0x', ') = -ENOTTY (')
    expect_line(lines, '] read(' + fd_name + ', 0x', ', 16) = -EINVAL '
                '(iommufd cannot be read)')
    expect_line(lines, '] write(' + fd_name + ', 0x', ', 16) = -EINVAL '
                '(iommufd cannot be written)')
    expect_line(lines, 'IOMMU_DESTROY, {size=8, id=1}) = -ENOENT '
                '(no object with id 1)')
    expect_line(lines, '] close(' + fd_name + ') = 0')
    # every failure says why, and each of these has a recorded reason
    for line in lines:
        m = re.search(r' = -E[A-Z0-9]+( -> \{.*\})?( \((.*)\))?$', line)
        if m and '] open(' not in line and '] close(' not in line:
            expect(m.group(3) and m.group(3) != 'no reason recorded',
                   f'failure without a reason: {line}')


def check_text(args, tmp):
    out = os.path.join(tmp, 'trace.txt')
    p = run([args.run, f'--trace={out}', '--', args.prog, 'basic'])
    lines = read_lines(out)
    check_text_basic(lines)
    expect(not find(lines, 'strict:'), 'strict lines without --strict')
    # --trace=FILE starts the file afresh
    run([args.run, f'--trace={out}', '--', args.prog, 'basic'])
    expect(len(read_lines(out)) == len(lines),
           '--trace=FILE truncates FILE at each run')
    expect(p.stderr == '', f'nothing on stderr with --trace=FILE: {p.stderr}')


# ---- JSON ----

def parse_json(lines):
    objs = []
    for line in lines:
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            expect(False, f'not JSON ({e}): {line}')
    return objs


def calls(objs, name=None, call='ioctl'):
    return [o for o in objs if o.get('call') == call and
            (name is None or o.get('name') == name)]


def check_json_basic(objs):
    for o in objs:
        expect(isinstance(o.get('pid'), int) and isinstance(o.get('tid'), int),
               f'pid and tid: {o}')
        if 'warning' in o:
            continue
        expect(o.get('call') in ('open', 'close', 'read', 'write', 'ioctl'),
               f'call: {o}')
        expect(isinstance(o.get('ret'), int), f'ret: {o}')
        if o['ret'] < 0:
            expect(re.fullmatch(r'E[A-Z0-9]+', o.get('errno', '')),
                   f'errno name: {o}')
            if o['call'] != 'open' and o['call'] != 'close':
                expect(o.get('reason'), f'failure without a reason: {o}')
        else:
            expect('errno' not in o and 'reason' not in o,
                   f'no errno on success: {o}')
        if o['call'] == 'ioctl':
            expect(isinstance(o.get('fd'), int), f'fd: {o}')
            expect(re.fullmatch(r'0x[0-9a-f]+', o.get('cmd', '')), f'cmd: {o}')

    alloc = calls(objs, 'IOMMU_IOAS_ALLOC')
    expect(alloc and alloc[0]['in'] == {'size': 12, 'flags': '0'} and
           alloc[0]['out'] == {'out_ioas_id': 1}, f'IOAS_ALLOC: {alloc[:1]}')
    expect(alloc and alloc[0]['arg'].startswith('0x'), 'arg is a hex string')
    bad = [o for o in alloc if o['ret'] < 0]
    expect(bad and bad[0]['in'] is None and bad[0]['errno'] == 'EFAULT' and
           bad[0]['arg'] == '0x10', f'unreadable argument: {bad}')

    test = calls(objs, 'IOMMU_TEST_CMD')
    expect(test and test[0]['in'].get('op') == 'ADD_RESERVED' and
           test[0]['in'].get('start') == 0x1000000 and
           test[0]['in'].get('length') == 0x100000, f'TEST_CMD: {test[:1]}')
    md = [o for o in test if o['in'].get('op') == 'MOCK_DOMAIN']
    expect(md and set(md[0].get('out', {})) ==
           {'out_stdev_id', 'out_hwpt_id', 'out_idev_id'},
           f'MOCK_DOMAIN outputs: {md}')

    maps = calls(objs, 'IOMMU_IOAS_MAP')
    expect(len(maps) == 2 + 1, f'three MAPs: {maps}')
    if maps:
        m = maps[0]
        expect(m['errno'] == 'EINVAL' and 'reserved' in m['reason'],
               f'MAP into the reserved range: {m}')
        expect(m['in']['flags'] == 'FIXED_IOVA|WRITEABLE|READABLE' and
               m['in']['iova'] == 0x1000000 and
               re.fullmatch(r'0x[0-9a-f]+', m['in']['user_va']) and
               m['in']['length'] == 0x4000, f'MAP fields: {m}')
        auto = maps[-1]
        expect(auto['in']['flags'] == 'READABLE' and
               isinstance(auto.get('out', {}).get('iova'), int),
               f'automatic IOVA is an output: {auto}')

    ranges = calls(objs, 'IOMMU_IOAS_IOVA_RANGES')
    expect(len(ranges) == 2 and ranges[0]['errno'] == 'EMSGSIZE' and
           ranges[0]['out']['num_iovas'] == 2 and
           ranges[1]['out']['iovas'] == [
               {'start': 0, 'last': 0xffffff},
               {'start': 0x1100000, 'last': 2**64 - 1}],
           f'IOVA_RANGES: {ranges}')

    unmap = calls(objs, 'IOMMU_IOAS_UNMAP')
    expect(unmap and unmap[0]['in'] == {'size': 23, 'ioas_id': 1,
                                        'iova': 0x2000000} and
           unmap[0]['reason'].endswith('size 23 < minimum 24'),
           f'short UNMAP: {unmap[:1]}')

    ext = calls(objs, 'VFIO_CHECK_EXTENSION')
    expect(ext and ext[0]['arg'] == 'VFIO_TYPE1v2_IOMMU' and
           ext[0]['ret'] == 1, f'VFIO_CHECK_EXTENSION: {ext}')
    dmap = calls(objs, 'VFIO_IOMMU_MAP_DMA')
    expect(dmap and dmap[0]['in']['flags'] == 'READ|WRITE', f'MAP_DMA: {dmap}')
    info = calls(objs, 'IOMMU_GET_HW_INFO')
    expect(info and info[0]['out']['out_capabilities'] == 'DIRTY_TRACKING' and
           info[0]['out']['out_data_type'] == 'SELFTEST', f'HW_INFO: {info}')

    unknown = [o for o in calls(objs) if o.get('name') is None]
    expect(len(unknown) == 1 and unknown[0]['errno'] == 'ENOTTY',
           f'one unknown ioctl, by number: {unknown}')
    rd = calls(objs, call='read')
    expect(rd and rd[0]['count'] == 16 and rd[0]['errno'] == 'EINVAL' and
           rd[0]['reason'] == 'iommufd cannot be read', f'read: {rd}')
    expect(calls(objs, call='write'), 'a write line')
    op = calls(objs, call='open')
    expect(op and op[0]['flags'] == 'O_CLOEXEC' and op[0]['ret'] >= 0,
           f'open: {op}')
    cl = calls(objs, call='close')
    expect(cl and op and cl[-1]['fd'] == op[0]['ret'] and cl[-1]['ret'] == 0,
           f'close: {cl}')


def check_json(args, tmp):
    out = os.path.join(tmp, 'trace.json')
    run([args.run, f'--trace={out}', '--trace-format=json', '--',
         args.prog, 'basic'])
    lines = read_lines(out)
    objs = parse_json(lines)
    check_json_basic(objs)
    expect(not [o for o in objs if 'warning' in o], 'no strict warnings')
    # the same calls as in text
    txt = os.path.join(tmp, 'trace.txt')
    run([args.run, f'--trace={txt}', '--trace-format=text', '--',
         args.prog, 'basic'])
    expect(len(read_lines(txt)) == len(lines),
           'as many JSON lines as text lines')


# ---- the environment alone ----

def check_env(args, tmp):
    # stderr, JSON, set by the variables rather than by options
    p = run([args.run, '--', args.prog, 'basic'],
            env={'UIOMMUFD_TRACE': '-', 'UIOMMUFD_TRACE_FORMAT': 'json'})
    lines = [l for l in p.stderr.splitlines() if l.startswith('{')]
    check_json_basic(parse_json(lines))
    # a relative FILE, text by default; appended to, not truncated
    out = 'trace-env.txt'
    with open(os.path.join(tmp, out), 'w') as f:
        f.write('[0:0] kept\n')
    subprocess.run([args.run, '--', args.prog, 'basic'], cwd=tmp, check=True,
                   env=dict(os.environ, UIOMMUFD_TRACE=out),
                   stdout=subprocess.DEVNULL)
    lines = read_lines(os.path.join(tmp, out))
    expect(lines and lines[0] == '[0:0] kept', 'UIOMMUFD_TRACE appends')
    check_text_basic(lines[1:])
    # a bad format is reported and text is used
    p = run([args.run, '--', args.prog, 'basic'],
            env={'UIOMMUFD_TRACE': '-', 'UIOMMUFD_TRACE_FORMAT': 'xml'})
    expect('UIOMMUFD_TRACE_FORMAT=xml' in p.stderr and
           find(p.stderr.splitlines(), 'IOMMU_IOAS_ALLOC, {size=12'),
           f'bad UIOMMUFD_TRACE_FORMAT: {p.stderr[:500]}')
    # an unwritable FILE is reported, the program still runs
    p = run([args.run, '--', args.prog, 'basic'],
            env={'UIOMMUFD_TRACE': os.path.join(tmp, 'no/such/dir/f')})
    expect('UIOMMUFD_TRACE=' in p.stderr, f'bad UIOMMUFD_TRACE: {p.stderr}')


def check_inproc(args, tmp):
    """libuiommufd linked directly: no wrapper, no preload, same trace."""
    out = os.path.join(tmp, 'inproc.txt')
    run([args.inproc, 'basic'], env={'UIOMMUFD_TRACE': out})
    check_text_basic(read_lines(out))
    out = os.path.join(tmp, 'inproc.json')
    run([args.inproc, 'basic'], env={'UIOMMUFD_TRACE': out,
                                     'UIOMMUFD_TRACE_FORMAT': 'json'})
    check_json_basic(parse_json(read_lines(out)))
    # tracing off: nothing written anywhere
    p = run([args.inproc, 'basic'])
    expect(p.stderr == '', f'no output without UIOMMUFD_TRACE: {p.stderr}')


# ---- threads: one whole line per call ----

def check_threads(args, tmp):
    for fmt in ('json', 'text'):
        out = os.path.join(tmp, 'threads.' + fmt)
        p = run([args.run, f'--trace={out}', f'--trace-format={fmt}', '--',
                 args.prog, 'threads'])
        m = re.search(r'ioctls (\d+)', p.stdout)
        if not expect(m, f'threads prints its count: {p.stdout}'):
            continue
        n = int(m.group(1))
        lines = read_lines(out)
        if fmt == 'json':
            objs = parse_json(lines)
            ioctls = calls(objs)
            tids = {o['tid'] for o in ioctls}
            pids = [o['pid'] for o in objs]
        else:
            good = re.compile(r'^\[\d+:(\d+)\] ioctl\(\d+, IOMMU_(IOAS_ALLOC, '
                              r'\{size=12, flags=0\}\) = 0 -> \{out_ioas_id='
                              r'\d+\}|DESTROY, \{size=8, id=\d+\}\) = 0)$')
            ioctls = [l for l in lines if '] ioctl(' in l]
            for l in ioctls:
                if not expect(good.match(l), f'a mixed or broken line: {l}'):
                    break
            tids = {LINE_RE.match(l).group(2) for l in ioctls
                    if LINE_RE.match(l)}
            pids = [LINE_RE.match(l).group(1) for l in lines
                    if LINE_RE.match(l)]
        expect(len(ioctls) == n, f'{fmt}: {len(ioctls)} ioctl lines for {n}')
        expect(len(tids) > 1, f'{fmt}: lines from several threads')
        # the forked child's open, ioctl and close, appended
        child = [p for p in pids if pids and p != pids[0]]
        expect(len(child) == 3 and len(set(child)) == 1,
               f'{fmt}: the child\'s open, ioctl and close, under its pid')


# ---- --strict ----

def check_strict(args, tmp):
    out = os.path.join(tmp, 'strict.txt')
    run([args.run, '--strict=warn', f'--trace={out}', '--', args.prog,
         'basic'])
    lines = read_lines(out)
    warn = [l for l in lines if '] strict: ' in l]
    expect(len(warn) == 1 and 'strict: IOMMU_VDEVICE_TSM_OP = -EOPNOTSUPP: '
           'the kernel serves this call' in warn[0], f'strict warnings: {warn}')
    i = lines.index(warn[0]) if warn else 0
    expect(i > 0 and 'IOMMU_VDEVICE_TSM_OP' in lines[i - 1],
           'the warning follows its call')

    out = os.path.join(tmp, 'strict.json')
    run([args.run, f'--trace={out}', '--trace-format=json', '--',
         args.prog, 'basic'], env={'UIOMMUFD_STRICT': 'warn'})
    objs = parse_json(read_lines(out))
    warn = [o for o in objs if o.get('warning') == 'strict']
    expect(len(warn) == 1 and warn[0]['name'] == 'IOMMU_VDEVICE_TSM_OP' and
           warn[0]['errno'] == 'EOPNOTSUPP' and warn[0]['note'],
           f'JSON strict warning: {warn}')

    # strict without a trace: the warnings alone, on stderr
    p = run([args.run, '--strict=warn', '--', args.prog, 'basic'])
    err = p.stderr.splitlines()
    expect(len(err) == 1 and '] strict: IOMMU_VDEVICE_TSM_OP' in err[0],
           f'--strict=warn alone: {p.stderr}')

    # fatal, the default: the warning, then the program is aborted there
    for opts, env in ((['--strict'], None), (['--strict=fatal'], None),
                      ([], {'UIOMMUFD_STRICT': '1'})):
        out = os.path.join(tmp, 'strict-fatal.txt')
        p = run([args.run] + opts + [f'--trace={out}', '--', args.prog,
                                     'basic'], env=env, expect_rc=-6)
        lines = read_lines(out)
        expect(lines and '] strict: IOMMU_VDEVICE_TSM_OP' in lines[-1],
               f'{opts or env}: the trace ends with the warning: {lines[-3:]}')
        expect('aborting' in p.stderr, f'{opts or env}: says why: {p.stderr}')
    p = run([args.run, '--strict=maybe', '--', args.prog, 'env'], expect_rc=2)
    # UIOMMUFD_STRICT=0 is off
    p = run([args.run, '--', args.prog, 'basic'], env={'UIOMMUFD_STRICT': '0'})
    expect(p.stderr == '', f'UIOMMUFD_STRICT=0: {p.stderr}')


# ---- --memlock ----

def check_memlock(args, tmp):
    out = os.path.join(tmp, 'memlock.txt')
    run([args.run, '--memlock=1M', f'--trace={out}', '--', args.prog,
         'memlock'])
    expect_line(read_lines(out), 'IOMMU_IOAS_MAP, {size=40', 'length=0x200000',
                '= -ENOMEM (pinning 512 pages exceeds RLIMIT_MEMLOCK '
                '(256 pages')
    p = run([args.run, '--', args.prog, 'memlock'],
            env={'UIOMMUFD_MEMLOCK': '1024K'})
    out = os.path.join(tmp, 'memlock-inproc.txt')
    run([args.inproc, 'memlock'], env={'UIOMMUFD_MEMLOCK': '0x100000',
                                       'UIOMMUFD_TRACE': out})
    expect_line(read_lines(out), '= -ENOMEM (pinning 512 pages')
    p = run([args.run, '--', args.prog, 'env'], env={'UIOMMUFD_MEMLOCK': 'zz'})
    expect('UIOMMUFD_MEMLOCK is not a byte count' in p.stderr,
           f'a bad UIOMMUFD_MEMLOCK is reported: {p.stderr}')
    for bad in ('12Q', '-1', '', 'lots', '99999999999999999999T'):
        p = run([args.run, f'--memlock={bad}', '--', args.prog, 'env'],
                expect_rc=2)
        expect('--memlock' in p.stderr, f'--memlock={bad}: {p.stderr}')


# ---- every option of uiommufd-run ----

def env_of(p):
    return dict(l.split('=', 1) for l in p.stdout.splitlines() if '=' in l)


def check_options(args, tmp):
    p = run([args.run, '--help'])
    for word in ('--help', '--version', '--trace[=FILE]', '--trace-format',
                 '--strict', '--memlock=BYTES', '--dump-on-exit[=FILE]',
                 '--fail-nth=N', '--preload=PATH', '--verbose',
                 '--kernel=X.Y', 'UIOMMUFD_KERNEL',
                 'UIOMMUFD_TRACE=', 'UIOMMUFD_TRACE_FORMAT', 'UIOMMUFD_STRICT',
                 'UIOMMUFD_MEMLOCK', 'UIOMMUFD_DUMP_ON_EXIT',
                 'UIOMMUFD_FAIL_NTH', 'LD_PRELOAD'):
        expect(word in p.stdout, f'--help mentions {word}')
    p = run([args.run, '-h'])
    expect(p.stdout.startswith('Usage:'), '-h')
    p = run([args.run, '--version'])
    expect(re.fullmatch(r'uiommufd-run \d+\.\d+\.\d+\n', p.stdout),
           f'--version: {p.stdout}')
    run([args.run, '-V'])

    # options become the variables PROGRAM sees
    dump = os.path.join(tmp, 'dump.txt')
    trace = os.path.join(tmp, 'opt.txt')
    p = run([args.run, '-v', '--strict', '--memlock=unlimited',
             f'--dump-on-exit={dump}', f'--trace={trace}',
             '--trace-format=json', '--fail-nth=0', '--', args.prog, 'env'])
    env = env_of(p)
    expect(env.get('UIOMMUFD_STRICT') == 'fatal', f'--strict: {env}')
    expect(env.get('UIOMMUFD_MEMLOCK') == 'unlimited', f'--memlock: {env}')
    expect(env.get('UIOMMUFD_DUMP_ON_EXIT') == dump, f'--dump-on-exit: {env}')
    expect(env.get('UIOMMUFD_TRACE') == trace, f'--trace=FILE: {env}')
    expect(env.get('UIOMMUFD_TRACE_FORMAT') == 'json', f'--trace-format: {env}')
    expect(env.get('UIOMMUFD_FAIL_NTH') == '0', f'--fail-nth: {env}')
    for var in ('LD_PRELOAD', 'UIOMMUFD_STRICT', 'UIOMMUFD_MEMLOCK',
                'UIOMMUFD_DUMP_ON_EXIT', 'UIOMMUFD_TRACE',
                'UIOMMUFD_TRACE_FORMAT', 'UIOMMUFD_FAIL_NTH'):
        expect(f'uiommufd-run: {var}=' in p.stderr, f'-v prints {var}')
    expect('uiommufd-run: exec ' in p.stderr, '-v prints the command')
    # without FILE: stderr
    p = run([args.run, '--trace', '--dump-on-exit', '--', args.prog, 'env'])
    env = env_of(p)
    expect(env.get('UIOMMUFD_TRACE') == '-' and
           env.get('UIOMMUFD_DUMP_ON_EXIT') == '-',
           f'--trace and --dump-on-exit without FILE: {env}')
    p = run([args.run, '--trace', '--', args.prog, 'basic'])
    check_text_basic([l for l in p.stderr.splitlines() if LINE_RE.match(l)])

    # what the dump writes is core/dump.c's business (tests/dump): here
    # only that the option reaches the library as its variable, above

    # --fail-nth=1: the first failure point is the open of /dev/iommu
    p = run([args.run, '--fail-nth=1', '--trace', '--', args.prog, 'failnth'])
    expect(find(p.stderr.splitlines(), '] open(O_CLOEXEC) = -ENOMEM'),
           f'--fail-nth=1 traced: {p.stderr}')
    # --preload=PATH
    out = os.path.join(tmp, 'preload.txt')
    run([args.run, f'--preload={args.preload}', f'--trace={out}', '--',
         args.prog, 'basic'])
    check_text_basic(read_lines(out))

    # bad usage is exit 2 before PROGRAM runs
    for bad in (['--trace-format=xml'], ['--trace-format='],
                ['--fail-nth=abc'], ['--memlock'], ['--no-such-option'],
                [f'--trace={tmp}/no/such/dir/f'],
                ['--preload=/no/such/shim.so']):
        p = run([args.run] + bad + ['--', args.prog, 'env'], expect_rc=2)
        expect('ok' not in p.stdout and 'UIOMMUFD' not in p.stdout,
               f'{bad}: PROGRAM did not run')
    run([args.run], expect_rc=2)

    # VFIO devices: the options become UIOMMUFD_IOMMU and UIOMMUFD_VFIO_DEVS
    p = run([args.run, '--iommu=smmuv3', '--vfio-dev',
             '--vfio-dev=amd,rid=0x18,pasid=16,unit=1,pri,ats,no-dirty',
             '--vfio-dev=rid=0x20', '--', args.prog, 'env'])
    env = env_of(p)
    expect(env.get('UIOMMUFD_IOMMU') == 'smmuv3', f'--iommu: {env}')
    expect(env.get('UIOMMUFD_VFIO_DEVS') ==
           'default;amd,rid=0x18,pasid=16,unit=1,pri,ats,no-dirty;rid=0x20',
           f'--vfio-dev: {env}')
    # aw=BITS: a width of the named model, or of some model when none is
    # named (the library checks it against --iommu's model at open)
    for good in ('vtd,aw=57', 'vtd,aw=39,pasid=20', 'smmuv3,aw=40',
                 'smmuv3,aw=0x20', 'amd,aw=57,pri', 'aw=44', 'mock,aw=0',
                 'default,aw=48,unit=2'):
        p = run([args.run, f'--vfio-dev={good}', '--', args.prog, 'env'])
        expect(env_of(p).get('UIOMMUFD_VFIO_DEVS') == good,
               f'--vfio-dev={good}: {env_of(p)}')
    # --kernel=X.Y becomes UIOMMUFD_KERNEL; what it does is tests/abi's
    # kernel_version
    for good in ('6.8', '6.13.7', 'latest'):
        p = run([args.run, f'--kernel={good}', '--', args.prog, 'env'])
        expect(env_of(p).get('UIOMMUFD_KERNEL') == good, f'--kernel={good}')
    for bad in ('5.19', '6.1', '6', '6.x', '6.8.', 'newest', ''):
        p = run([args.run, f'--kernel={bad}', '--', args.prog, 'env'],
                expect_rc=2)
        expect('UIOMMUFD' not in p.stdout and '--kernel' in p.stderr,
               f'--kernel={bad}: refused before PROGRAM ran')
    for bad in (['--iommu=intel'], ['--iommu'], ['--vfio-dev=vtd,pasid=21'],
                ['--vfio-dev=arm'], ['--vfio-dev=vtd,rid=x'],
                ['--vfio-dev=vtd,unit=256'], ['--vfio-dev=vtd;amd'],
                ['--vfio-dev=vtd,,pri'], ['--vfio-dev=pri,vtd'],
                ['--vfio-dev=vtd,aw=40'], ['--vfio-dev=smmuv3,aw=39'],
                ['--vfio-dev=smmuv3,aw=52'], ['--vfio-dev=amd,aw=39'],
                ['--vfio-dev=mock,aw=48'], ['--vfio-dev=aw=47'],
                ['--vfio-dev=vtd,aw='], ['--vfio-dev=vtd,aw=-57'],
                ['--vfio-dev=aw=57,vtd'], ['--vfio-dev=vtd,aw=65'],
                ['--vfio-dev'] * 65):
        p = run([args.run] + bad + ['--', args.prog, 'env'], expect_rc=2)
        expect('UIOMMUFD' not in p.stdout, f'{bad}: PROGRAM did not run')


# ---- the VFIO nodes: opens with their path, cdev ioctls with reasons ----

def check_vfio(args, tmp):
    out = os.path.join(tmp, 'vfio.txt')
    run([args.run, '--vfio-dev=vtd,pasid=8', f'--trace={out}', '--',
         args.prog, 'vfio'])
    lines = read_lines(out)
    expect_line(lines, 'open("/dev/vfio/vfio", O_CLOEXEC) = 3')
    expect_line(lines, 'open("/dev/vfio/devices/vfio0", O_CLOEXEC) = 4')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_GET_INFO, {argsz=20}) = -EINVAL '
                '(vfio0 is not bound: VFIO_DEVICE_BIND_IOMMUFD first)')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_BIND_IOMMUFD, {argsz=24, '
                'flags=0, iommufd=4, token_uuid_ptr=0x0}) = -EBADFD '
                '(fd 4 is not an iommufd)')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_BIND_IOMMUFD, {argsz=24, '
                'flags=0, iommufd=3, token_uuid_ptr=0x0}) = 0 -> '
                '{out_devid=')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_ATTACH_IOMMUFD_PT, {argsz=16, '
                'flags=PASID, pt_id=2, pasid=0x100}) = -EINVAL '
                '(device 1 has no PASID 256)')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_ATTACH_IOMMUFD_PT, {argsz=16, '
                'flags=PASID, pt_id=2, pasid=0x7}) = -EINVAL (')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_ATTACH_IOMMUFD_PT, {argsz=16, '
                'flags=0, pt_id=2', ') = 0 -> {pt_id=3}')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_DETACH_IOMMUFD_PT, {argsz=12, '
                'flags=PASID, pasid=0x7}) = 0')
    expect_line(lines, 'ioctl(4, VFIO_DEVICE_GET_INFO, {argsz=20}) = 0 -> '
                '{flags=PCI, num_regions=0, num_irqs=0}')
    expect_line(lines, 'close(4) = 0')
    # the same calls in JSON: the open's path is a member
    out = os.path.join(tmp, 'vfio.jsonl')
    run([args.run, '--vfio-dev=vtd,pasid=8', f'--trace={out}',
         '--trace-format=json', '--', args.prog, 'vfio'])
    objs = parse_json(read_lines(out))
    opens = [o for o in objs if o.get('call') == 'open']
    expect([o.get('path') for o in opens] ==
           ['/dev/vfio/vfio', '/dev/vfio/devices/vfio0'], f'opens: {opens}')
    binds = calls(objs, 'VFIO_DEVICE_BIND_IOMMUFD')
    expect(len(binds) == 2 and binds[0]['errno'] == 'EBADFD' and
           binds[0]['reason'] == 'fd 4 is not an iommufd' and
           binds[1]['ret'] == 0 and binds[1]['out']['out_devid'] > 0,
           f'binds: {binds}')
    # in-process, the same through uiommufd_open_path()
    out = os.path.join(tmp, 'vfio-inproc.txt')
    run([args.inproc, 'vfio'], env={'UIOMMUFD_VFIO_DEVS': 'vtd,pasid=8',
                                    'UIOMMUFD_TRACE': out})
    expect_line(read_lines(out),
                'open("/dev/vfio/devices/vfio0", O_CLOEXEC) = 4')


# ---- golden text, addresses and ids normalised ----

def normalise(lines):
    out = []
    for line in lines:
        line = LINE_RE.sub('[PID:TID] ', line)
        line = re.sub(r'0x(?!f{16}\b)[0-9a-f]{9,}', '0xADDR', line)
        # an allocated IOVA follows the alignment of the user address
        line = re.sub(r'-> \{iova=0x[0-9a-f]+\}', '-> {iova=IOVA}', line)
        out.append(line + '\n')
    return out


def check_golden(args, tmp):
    out = os.path.join(tmp, 'golden.txt')
    run([args.run, f'--trace={out}', '--', args.prog, 'basic'])
    got = normalise(read_lines(out))
    if args.update:
        with open(args.golden, 'w') as f:
            f.writelines(got)
        return
    with open(args.golden) as f:
        want = f.readlines()
    diff = list(difflib.unified_diff(want, got, 'golden', 'this run'))
    expect(not diff, 'trace differs from the golden text:\n' + ''.join(diff))


# ---- JSON string escaping ----

def check_escape(args, tmp):
    cases = [b'plain', b'', b'say "hi"', b'back\\slash', b'tab\tnew\nline',
             b'\x01\x1f\x7f', 'caf\u00e9'.encode(), b'\xff\xfe stray',
             b'{"not": "an object"}', b'</script>']
    p = subprocess.run([args.escape] + cases, stdout=subprocess.PIPE,
                       timeout=30)
    expect(p.returncode == 0, f'trace_escape exit {p.returncode}')
    lines = p.stdout.split(b'\n')[:-1]
    expect(len(lines) == len(cases), f'one line per case: {lines}')
    for case, line in zip(cases, lines):
        expect(all(b >= 0x20 and b < 0x7f for b in line),
               f'only printable ASCII: {line}')
        try:
            got = json.loads(line)
        except ValueError as e:
            expect(False, f'{case!r}: not JSON ({e}): {line}')
            continue
        # bytes >= 0x7f come back one code point each
        expect(got == case.decode('latin-1'), f'{case!r} -> {line} -> {got!r}')


CHECKS = {
    'text': check_text,
    'json': check_json,
    'env': check_env,
    'inproc': check_inproc,
    'threads': check_threads,
    'strict': check_strict,
    'memlock': check_memlock,
    'options': check_options,
    'golden': check_golden,
    'escape': check_escape,
    'vfio': check_vfio,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('check', choices=sorted(CHECKS))
    ap.add_argument('--run', required=True)
    ap.add_argument('--prog', required=True)
    ap.add_argument('--inproc', required=True)
    ap.add_argument('--preload', required=True)
    ap.add_argument('--golden', required=True)
    ap.add_argument('--escape', required=True)
    ap.add_argument('--update', action='store_true')
    args = ap.parse_args()
    # meson gives paths relative to the build directory; some runs chdir
    for k in ('run', 'prog', 'inproc', 'preload', 'golden', 'escape'):
        setattr(args, k, os.path.abspath(getattr(args, k)))
    with tempfile.TemporaryDirectory(prefix='uiommufd-trace-') as tmp:
        CHECKS[args.check](args, tmp)
    print(f'{args.check}: {"ok" if not failures else f"{failures} failed"}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
