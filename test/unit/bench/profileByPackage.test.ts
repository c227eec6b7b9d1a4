import { breakdown, categoryOf, packageOf } from '../../../bench/profileByPackage';

describe('profileByPackage (issue 14: self time by package per action)', () => {
  it('names packages, Node built-ins and our folders', () => {
    expect(packageOf('file:///work/main/node_modules/@azure/cosmos/dist/commonjs/ClientContext.js')).toBe('@azure/cosmos');
    expect(packageOf('file:///work/main/node_modules/botbuilder-core/lib/turnContext.js')).toBe('botbuilder-core');
    expect(packageOf('node:_http_client')).toBe('node:http');
    expect(packageOf('node:internal/stream_base_commons')).toBe('node:net');
    expect(packageOf('node:_tls_wrap')).toBe('node:tls');
    expect(packageOf('file:///work/main/dist/services/requests/views.js')).toBe('ours:services/requests');
    expect(packageOf('file:///work/main/dist/bot/adapter.js')).toBe('ours:bot');
    expect(packageOf('')).toBeUndefined();
    expect(categoryOf('botframework-connector')).toBe('botbuilder*');
    expect(categoryOf('(garbage collector)')).toBe('GC');
    expect(categoryOf('ours:services/requests')).toBe('ours: services');
  });

  it('counts only samples inside the window, gives a native function to its caller, and divides by the actions', () => {
    const url = 'file:///x/node_modules/@azure/cosmos/dist/a.js';
    const profile = {
      startTime: 1_000,
      endTime: 1_000_000,
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
        { id: 2, callFrame: { functionName: 'httpRequest', url, lineNumber: 50 }, children: [3] },
        { id: 3, callFrame: { functionName: 'parse', url: '', lineNumber: -1 } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
        { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      ],
      // Sample times 1100, 1200, 1300, 1400, 1500 (µs); each stands for the time until the next.
      samples: [2, 3, 4, 5, 2],
      timeDeltas: [100, 100, 100, 100, 100],
    };
    const b = breakdown(profile, { label: 'x.product', pid: 1, fromUs: 1_200, toUs: 1_500, actions: 2 });
    // In the window: 1200 (parse → cosmos), 1300 (GC), 1400 (idle), each 100 µs; per action 0.05 ms.
    expect(b.byPackage.get('@azure/cosmos')).toBeCloseTo(0.05);
    expect(b.byPackage.get('(garbage collector)')).toBeCloseTo(0.05);
    expect(b.byCategory.get('GC')).toBeCloseTo(0.05);
    expect(b.busyMsPerAction).toBeCloseTo(0.1);
    expect(b.idleMsPerAction).toBeCloseTo(0.05);
  });
});
