// Say and sound each scan's outcome, so a clerk need not look at the screen:
// an aria-live announcement and a short WebAudio beep (high for success, low for refusal).
let audio = null;

export function beep(ok) {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = ok ? "sine" : "square";
    osc.frequency.value = ok ? 880 : 220;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (ok ? 0.09 : 0.3));
  } catch { /* no audio device: the announcement still speaks */ }
}

export function announce(text) {
  const live = document.getElementById("announce");
  live.textContent = "";
  // a fresh text node after clearing makes screen readers speak a repeated message again
  setTimeout(() => { live.textContent = text; }, 30);
}
