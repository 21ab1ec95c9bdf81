// A chapter page: the beat buttons seek the video, and the beat being played is marked.
(function () {
  "use strict";
  var video = document.getElementById("video");
  if (!video) { return; }
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.beat"));
  var starts = buttons.map(function (b) { return parseFloat(b.getAttribute("data-start")); });

  buttons.forEach(function (button, i) {
    button.addEventListener("click", function () {
      video.currentTime = starts[i];
      var playing = video.play();
      if (playing && playing.catch) { playing.catch(function () { /* the user pauses or plays by hand */ }); }
    });
  });

  // The current beat: the last one that starts at or before the playhead.
  function mark() {
    var current = -1;
    for (var i = 0; i < starts.length; i++) {
      if (starts[i] <= video.currentTime + 0.05) { current = i; }
    }
    buttons.forEach(function (b, i) {
      if (i === current) { b.setAttribute("aria-current", "true"); } else { b.removeAttribute("aria-current"); }
    });
  }
  video.addEventListener("timeupdate", mark);
  video.addEventListener("seeked", mark);

  video.addEventListener("loadedmetadata", mark);

  // A server that answers no byte ranges (python -m http.server) sends the whole video for any
  // request, and a long video then cannot be sought: ask for one byte and say so if it sends more.
  if (location.protocol === "http:" || location.protocol === "https:") {
    var control = window.AbortController ? new AbortController() : null;
    fetch(video.currentSrc || video.src, {headers: {Range: "bytes=0-0"}, cache: "no-store",
           signal: control && control.signal})
      .then(function (response) {
        document.body.setAttribute("data-byte-ranges", response.status === 206 ? "yes" : "no");
        if (response.status !== 206) { document.getElementById("no-seek").hidden = false; }
        if (control) { control.abort(); }
      })
      .catch(function () { /* aborted, or offline: nothing to say */ });
  }
})();
