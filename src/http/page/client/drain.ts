// Browser code: the operator's actions on a host — drain / undrain and disable / enable — and which
// of them each host card offers. The token is asked for once, in a <dialog> with a password field,
// and kept in sessionStorage (this tab only, gone when it closes). A refused token is forgotten and
// asked for again, so a typo never sticks.
export const drainJs = `
var TOKEN_KEY = 'mxpool.token';
var busy = false;
var HOST_ACTIONS = ['drain', 'undrain', 'disable', 'enable'];
/** from api/state: "none" when serve runs without a token (loopback only), so nothing is asked */
var writeAuth = 'bearer';

function storedToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}
function storeToken(token) {
  try { if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off: ask every time */ }
}

/** Opens the token dialog; resolves with the token, or null when cancelled. */
function askToken(why) {
  var dialog = document.getElementById('token-dialog');
  var form = document.getElementById('token-form');
  var input = document.getElementById('token-input');
  var cancel = document.getElementById('token-cancel');
  setText(document.getElementById('token-why'), why);
  input.value = '';
  return new Promise(function (resolve) {
    function done(value) {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    }
    function onSubmit(event) {
      event.preventDefault();
      var value = input.value.trim();
      if (value) done(value);
    }
    function onCancel(event) { event.preventDefault(); done(null); }
    form.addEventListener('submit', onSubmit);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}

function showResult(text, kind) {
  var box = document.getElementById('drain-result');
  box.className = 'banner ' + kind;
  setText(box, text);
  box.hidden = false;
}

async function postAction(name, action, token) {
  var response = await fetch('api/hosts/' + encodeURIComponent(name) + '/' + action, {
    method: 'POST',
    headers: token ? { Authorization: 'Bearer ' + token, Accept: 'application/json' } : { Accept: 'application/json' },
    cache: 'no-store',
  });
  var body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, ok: response.ok, body: body };
}

async function runHostAction(name, action, button) {
  if (busy || HOST_ACTIONS.indexOf(action) < 0) return;
  busy = true;
  button.setAttribute('aria-busy', 'true');
  try {
    var why = 'Draining, undraining, disabling and enabling need the API token of this mxpool (the variable named by http.tokenEnv). It is kept in this tab only.';
    for (var attempt = 0; attempt < 3; attempt++) {
      var token = storedToken();
      if (!token && writeAuth !== 'none') {
        token = await askToken(why);
        if (!token) { showResult(action + ' of ' + name + ' cancelled.', 'info'); return; }
        storeToken(token);
      }
      var result = await postAction(name, action, token);
      if (result.status === 401 || result.status === 403) {
        storeToken(null);
        why = 'The token was refused (' + (result.body && result.body.error ? result.body.error : 'HTTP ' + result.status) + '). Try again.';
        continue;
      }
      if (!result.ok) {
        showResult(action + ' of ' + name + ' failed: ' + (result.body && result.body.error ? result.body.error : 'HTTP ' + result.status), 'bad');
        return;
      }
      showResult(describeAction(result.body, name, action), resultKind(result.body, action));
      pollNow();
      return;
    }
    showResult(action + ' of ' + name + ' not done: the token was refused three times.', 'bad');
  } catch (err) {
    showResult(action + ' of ' + name + ' failed: ' + (err && err.message ? err.message : String(err)), 'bad');
  } finally {
    busy = false;
    button.removeAttribute('aria-busy');
  }
}

function resultKind(body, action) {
  if (action === 'enable' && body && body.state === 'disabled') return 'bad';
  return action === 'drain' || action === 'disable' ? 'warn' : 'info';
}

function describeAction(body, name, action) {
  var host = body && body.host ? body.host : name;
  var serial = body && typeof body.serial === 'number' ? ' (zone serial ' + body.serial + ')' : '';
  var state = body && body.state ? body.state : null;
  if (action === 'undrain') return host + ' undrained: back in DNS once healthy' + serial + '.';
  if (action === 'disable') {
    var view = hostViews.get(name);
    var spf = view && view.role === 'outbound' ? ', and out of SPF after twice the TTL (it may still flush its queue until then)' : '';
    return host + ' disabled: out of DNS now' + serial + spf + '. It stays out, across restarts, until enabled.';
  }
  if (action === 'enable') {
    // serve answers "disabled" still when the config disables the host (only the config can lift that)
    if (state === 'disabled') return host + ' is still disabled: the config disables it (disabled: true); change the config and reload' + serial + '.';
    if (state === 'draining') return host + ' enabled: still draining, out of DNS until undrained' + serial + '.';
    if (state === 'healthy') return host + ' enabled: healthy, back in DNS' + serial + '.';
    return host + ' enabled: ' + (state || 'state unknown') + ', back in DNS once healthy' + serial + '.';
  }
  var text = host + ' drained: out of DNS now' + serial + '.';
  if (body && body.drain) text += ' Safe to stop after ' + fmtClock(body.drain.safeToStopAt) + ' (when cached answers have expired).';
  return text;
}

/**
 * The buttons a host card offers for its state: Drain or Undrain, and Disable or Enable. A host
 * disabled at run time offers only Enable (draining it would change nothing); one disabled in the
 * config offers nothing and says why — only the config can enable it, the API would refuse.
 */
function updateHostButtons(view, host) {
  var drainFocused = document.activeElement === view.button; // hiding it drops focus
  if (host.disabledInConfig) {
    view.button.hidden = view.toggle.hidden = true;
    setText(view.note, 'disabled in the config (disabled: true): enable it there and reload; the page cannot');
  } else {
    setText(view.note, '');
    var disabled = host.state === 'disabled';
    view.button.hidden = disabled;
    view.toggle.hidden = false;
    if (host.state === 'draining') setAction(view.button, 'undrain', 'Undrain', host.name);
    else setAction(view.button, 'drain', 'Drain', host.name);
    if (disabled) setAction(view.toggle, 'enable', 'Enable', host.name);
    else setAction(view.toggle, 'disable', 'Disable', host.name);
    // disabled elsewhere (the CLI, another tab) while its Drain button had focus: keep focus on the card
    if (disabled && drainFocused) view.toggle.focus();
  }
  if (host.drain) view.safe.setAttribute('data-safe', String(host.drain.safeToStopAt));
  else view.safe.removeAttribute('data-safe');
}

/** Changes a button only when its action changes, so a focused button keeps focus and is not re-announced. */
function setAction(button, action, label, hostName) {
  if (button.getAttribute('data-action') === action) return;
  button.setAttribute('data-action', action);
  button.className = action;
  setText(button, label);
  button.setAttribute('aria-label', label + ' ' + hostName);
}
`;
