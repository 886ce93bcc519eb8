import { describe, expect, it } from 'vitest';
import { disableByOperator, drain, enableByOperator, initialHealth, nextHealth, setDisabled, toHostHealth, undrain, transitionSpacing, type HostHealthState } from '../../src/probe/health.ts';

const host = { name: 'mx1.example.com' };
const ok = { ok: true };
const fail = { ok: false };
const refused = { ok: false, refused: true };

/** Runs a sequence of outcomes ('+' ok, '-' fail, 'r' refused) from a state; returns the visible states after each. */
function run(start: HostHealthState, outcomes: string, rules = { rise: 2, fall: 3 }): string[] {
  let state = start;
  return [...outcomes].map((c, i) => {
    state = nextHealth(state, c === '+' ? ok : c === 'r' ? refused : fail, rules, 1000 + i);
    return state.state;
  });
}

const H = 'healthy';
const U = 'unhealthy';

describe('nextHealth: rise/fall (rise 2, fall 3)', () => {
  const cold = initialHealth(host, 'inbound', 0);
  const warmUp = initialHealth(host, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'healthy', since: 0 });
  const warmDown = initialHealth(host, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'unhealthy', since: 0 });
  const cases: Array<{ name: string; start: HostHealthState; outcomes: string; states: string[] }> = [
    { name: 'cold start: one success makes it healthy', start: cold, outcomes: '+', states: [H] },
    { name: 'cold start: a failure keeps it unhealthy, then it needs rise successes', start: cold, outcomes: '-++', states: [U, U, H] },
    { name: 'healthy falls after fall consecutive failures', start: warmUp, outcomes: '---', states: [H, H, U] },
    { name: 'a success in between resets the failure streak', start: warmUp, outcomes: '--+--', states: [H, H, H, H, H] },
    { name: 'unhealthy rises after rise consecutive successes', start: warmDown, outcomes: '++', states: [U, H] },
    { name: 'a failure in between resets the success streak', start: warmDown, outcomes: '+-+', states: [U, U, U] },
    { name: 'refused counts as a failure', start: warmUp, outcomes: 'rrr', states: [H, H, U] },
    { name: 'flap down then up', start: warmUp, outcomes: '---++', states: [H, H, U, U, H] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(run(c.start, c.outcomes)).toEqual(c.states);
    });
  }

  it('records since at the moment of a state change only', () => {
    const s1 = nextHealth(warmUp, fail, { rise: 1, fall: 2 }, 500);
    expect(s1.since).toBe(0);
    const s2 = nextHealth(s1, fail, { rise: 1, fall: 2 }, 700);
    expect(s2.state).toBe('unhealthy');
    expect(s2.since).toBe(700);
  });

  it('rise 1 / fall 1 flips on every result', () => {
    expect(run(warmUp, '-+-+', { rise: 1, fall: 1 })).toEqual([U, H, U, H]);
  });

  it('does not mutate its input', () => {
    const frozen = Object.freeze({ ...warmUp });
    expect(() => nextHealth(frozen, fail, { rise: 2, fall: 2 }, 1)).not.toThrow();
    expect(frozen.failures).toBe(0);
  });
});

describe('operator states', () => {
  const up = initialHealth(host, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'healthy', since: 0 });

  it('drain overrides probes; probes still move the probed state; undrain returns to it', () => {
    let s = drain(up, 100);
    expect(s.state).toBe('draining');
    expect(s.withdrawnAt).toBe(100);
    s = nextHealth(s, fail, { rise: 2, fall: 2 }, 200);
    s = nextHealth(s, fail, { rise: 2, fall: 2 }, 300);
    expect(s.state).toBe('draining');
    expect(s.probed).toBe('unhealthy');
    expect(s.withdrawnAt).toBe(100);
    s = undrain(s, 400);
    expect(s.state).toBe('unhealthy');
    expect(s.since).toBe(400);
    expect(s.withdrawnAt).toBeUndefined();
  });

  it('an operator disable beats drain and probes, is kept in the saved health, and enable lifts only itself', () => {
    let s = disableByOperator(drain(up, 100), 150);
    expect(s).toMatchObject({ state: 'disabled', withdrawnAt: 100, operatorDisabled: true }); // out of DNS since the drain
    expect(disableByOperator(s, 160)).toBe(s);
    expect(toHostHealth(s)).toMatchObject({ state: 'disabled', disabledBy: 'operator' });
    const restored = initialHealth(host, 'inbound', 500, toHostHealth(s));
    expect(restored).toMatchObject({ state: 'disabled', operatorDisabled: true, withdrawnAt: 100 });
    // a host disabled by the config is not restored as disabled by an operator
    expect(initialHealth(host, 'inbound', 500, { host: host.name, pool: 'inbound', state: 'disabled', since: 1, withdrawnAt: 1 }).state).toBe('unhealthy');
    s = enableByOperator(s, 200);
    expect(s).toMatchObject({ state: 'draining', operatorDisabled: false, withdrawnAt: 100 });
    expect(enableByOperator(s, 210)).toBe(s);
    expect(enableByOperator(setDisabled(disableByOperator(up, 1), true, 2), 3).state).toBe('disabled');
  });

  it('drain and undrain are idempotent', () => {
    const d = drain(up, 100);
    expect(drain(d, 200)).toBe(d);
    expect(undrain(up, 200)).toBe(up);
  });

  it('disabled beats draining and probes; the drain survives re-enabling', () => {
    let s = setDisabled(drain(up, 100), true, 150);
    expect(s.state).toBe('disabled');
    expect(s.withdrawnAt).toBe(100); // still withdrawn since the drain
    s = nextHealth(s, ok, { rise: 1, fall: 1 }, 160);
    expect(s.state).toBe('disabled');
    s = setDisabled(s, false, 170);
    expect(s.state).toBe('draining');
  });

  it('config disabled at start is disabled from the start, whatever was saved', () => {
    const s = initialHealth({ name: host.name, disabled: true }, 'inbound', 50, { host: host.name, pool: 'inbound', state: 'healthy', since: 0 });
    expect(s.state).toBe('disabled');
    expect(s.withdrawnAt).toBe(50);
  });

  it('a saved drain survives a restart, with its withdrawal time', () => {
    const s = initialHealth(host, 'inbound', 999, { host: host.name, pool: 'inbound', state: 'draining', since: 10, withdrawnAt: 10 });
    expect(s.state).toBe('draining');
    expect(s.since).toBe(10);
    expect(s.withdrawnAt).toBe(10);
    expect(s.checked).toBe(false);
  });

  it('a saved disabled state without config disabled becomes a cold start', () => {
    const s = initialHealth(host, 'inbound', 999, { host: host.name, pool: 'inbound', state: 'disabled', since: 10, withdrawnAt: 10 });
    expect(s.state).toBe('unhealthy');
    expect(nextHealth(s, ok, { rise: 3, fall: 3 }, 1000).state).toBe('healthy');
  });

  it('toHostHealth carries only the shared fields', () => {
    expect(toHostHealth(drain(up, 5))).toEqual({ host: host.name, pool: 'inbound', state: 'draining', since: 5, withdrawnAt: 5 });
    expect(Object.keys(toHostHealth(up)).sort()).toEqual(['host', 'pool', 'since', 'state']);
  });
});

describe('transition spacing (fastinter)', () => {
  const up = initialHealth(host, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'healthy', since: 0 });
  const down = initialHealth(host, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'unhealthy', since: 0 });
  const rules = { rise: 3, fall: 3 };
  const timing = { interval: 10_000, timeout: 3000 };

  it('re-probes a host falling from refusals after 200 ms, until it is down', () => {
    const s1 = nextHealth(up, refused, rules, 1);
    expect(transitionSpacing(s1, refused, timing)).toBe(200);
    const s2 = nextHealth(s1, refused, rules, 2);
    expect(transitionSpacing(s2, refused, timing)).toBe(200);
    const s3 = nextHealth(s2, refused, rules, 3);
    expect(s3.state).toBe('unhealthy');
    expect(transitionSpacing(s3, refused, timing)).toBeUndefined(); // down: normal spacing again
  });

  it('confirms any other failure of a host still up one timeout after the failed probe started', () => {
    const s1 = nextHealth(up, fail, rules, 1);
    expect(transitionSpacing(s1, fail, timing)).toBe(3000);
    const s2 = nextHealth(s1, fail, rules, 2);
    expect(transitionSpacing(s2, fail, timing)).toBe(3000);
    expect(transitionSpacing(nextHealth(s2, fail, rules, 3), fail, timing)).toBeUndefined();
  });

  it('re-probes a recovering host after half an interval, until it is up', () => {
    const s1 = nextHealth(down, ok, rules, 1);
    expect(transitionSpacing(s1, ok, timing)).toBe(5000);
    const s2 = nextHealth(s1, ok, rules, 2);
    expect(transitionSpacing(s2, ok, timing)).toBe(5000);
    const s3 = nextHealth(s2, ok, rules, 3);
    expect(s3.state).toBe('healthy');
    expect(transitionSpacing(s3, ok, timing)).toBeUndefined();
  });

  it('regular spacing for steady hosts, cold hosts and disabled hosts', () => {
    expect(transitionSpacing(nextHealth(up, ok, rules, 1), ok, timing)).toBeUndefined();
    expect(transitionSpacing(nextHealth(down, fail, rules, 1), fail, timing)).toBeUndefined();
    expect(transitionSpacing(nextHealth(down, refused, rules, 1), refused, timing)).toBeUndefined();
    const cold = initialHealth(host, 'inbound', 0);
    expect(transitionSpacing(nextHealth(cold, fail, rules, 1), fail, timing)).toBeUndefined(); // one cold failure: down, not falling
    const disabled = initialHealth({ ...host, disabled: true }, 'inbound', 0, { host: host.name, pool: 'inbound', state: 'healthy', since: 0 });
    expect(transitionSpacing(nextHealth(disabled, refused, rules, 1), refused, timing)).toBeUndefined();
  });
});
