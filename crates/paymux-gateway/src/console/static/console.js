// paymux operator console: the group form's rules in the page (the server checks them again).
// No inline script anywhere: the Content-Security-Policy allows only this file.
(function () {
  'use strict';
  function groupForm(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll('tr.channel-row'));
    var total = document.getElementById('weights-total');
    var error = document.getElementById('weights-error');
    var max = parseInt(form.getAttribute('data-max'), 10) || 10;
    function chosen() {
      return rows.filter(function (r) { return r.querySelector('select').value !== ''; });
    }
    function sum() {
      return chosen().reduce(function (s, r) {
        var v = r.querySelector('input.weight').value.trim();
        return s + (/^\d+$/.test(v) ? parseInt(v, 10) : NaN);
      }, 0);
    }
    function update() {
      var s = sum();
      total.textContent = isNaN(s) ? '?' : String(s);
    }
    // What the guide says when a rule is broken, or null.
    function broken() {
      var n = chosen().length;
      if (n < 1 || n > max) return error.getAttribute('data-count');
      if (sum() !== 100) return error.getAttribute('data-weights');
      return null;
    }
    form.addEventListener('input', update);
    form.addEventListener('change', update);
    form.addEventListener('submit', function (e) {
      var msg = broken();
      if (msg) {
        e.preventDefault();
        error.textContent = msg;
        error.hidden = false;
        error.scrollIntoView({ block: 'center' });
      } else {
        error.hidden = true;
      }
    });
    var add = document.getElementById('add-channel');
    if (add) {
      add.addEventListener('click', function () {
        var next = rows.filter(function (r) { return r.hidden; })[0];
        if (next) { next.hidden = false; next.querySelector('select').focus(); }
        if (!rows.some(function (r) { return r.hidden; })) add.hidden = true;
      });
    }
    update();
  }
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('group-form');
    if (form) groupForm(form);
  });
})();
