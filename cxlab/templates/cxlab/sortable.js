// Long tables (8 rows or more) sort by a click on a column header. Embedded, no library.
document.querySelectorAll(".jp-OutputArea-output table").forEach(function (table) {
  var body = table.tBodies[0], head = table.tHead;
  if (!body || !head || body.rows.length < 8) return;
  var cells = head.rows[head.rows.length - 1].cells;
  Array.prototype.forEach.call(cells, function (th, i) {
    th.classList.add("cx-sortable");
    th.title = "Click to sort";
    th.addEventListener("click", function () {
      var dir = th.dataset.dir === "asc" ? "desc" : "asc";
      Array.prototype.forEach.call(cells, function (c) { delete c.dataset.dir; });
      th.dataset.dir = dir;
      var key = function (row) {
        var cell = row.cells[i], text = cell ? cell.textContent.trim() : "";
        var num = parseFloat(text.replace(/,/g, ""));
        return isNaN(num) ? text : num;
      };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
        return dir === "asc" ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
