// Browser code: drain / undrain. The token is asked for once, in a <dialog> with a password field,
// and kept in sessionStorage (this tab only, gone when it closes). A refused token is forgotten and
// asked for again, so a typo never sticks.
export const drainJs = `
var TOKEN_KEY = 'mxpool.token';
var busy = false;
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
  if (busy || (action !== 'drain' && action !== 'undrain')) return;
  busy = true;
  button.setAttribute('aria-busy', 'true');
  try {
    var why = 'Draining and undraining need the API token of this mxpool (the variable named by http.tokenEnv). It is kept in this tab only.';
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
      showResult(describeAction(result.body, name, action), action === 'drain' ? 'warn' : 'info');
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

function describeAction(body, name, action) {
  var host = body && body.host ? body.host : name;
  var serial = body && typeof body.serial === 'number' ? ' (zone serial ' + body.serial + ')' : '';
  if (action === 'undrain') return host + ' undrained: back in DNS once healthy' + serial + '.';
  var text = host + ' drained: out of DNS now' + serial + '.';
  if (body && body.drain) text += ' Safe to stop after ' + fmtClock(body.drain.safeToStopAt) + ' (when cached answers have expired).';
  return text;
}
`;
