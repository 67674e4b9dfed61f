/**
 * The resident page's only script (served at /api/v1/assets/resident-page.js; the page's CSP allows scripts from
 * its own origin only, none inline): the consent button sends the resident's choice with the token of the page's
 * link, then reloads; the export links get the token too. Without the token (the operator's view), it does nothing.
 */
export const RESIDENT_PAGE_SCRIPT = `(function () {
  var token = new URLSearchParams(location.search).get('access_token');
  if (!token) return;
  document.querySelectorAll('a.export').forEach(function (link) {
    var url = new URL(link.href);
    url.searchParams.set('access_token', token);
    link.href = url.toString();
  });
  var button = document.getElementById('consent');
  if (!button) return;
  button.addEventListener('click', function () {
    button.disabled = true;
    fetch(location.pathname.replace(/\\/report$/, '/consent'), {
      method: 'PUT',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: JSON.stringify({ detailedCurve: button.getAttribute('data-grant') === 'true' }),
    }).then(function (response) {
      if (response.ok) location.reload();
      else response.text().then(function (text) { button.disabled = false; button.title = text; });
    });
  });
})();
`;
