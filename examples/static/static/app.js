// Served compressed when the browser accepts gzip (app.js.gz).
'use strict';
document.getElementById('script-status').textContent =
  'The script ran: it was served by the example at ' + location.host + '.';
