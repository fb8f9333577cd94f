"use strict";
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  error.textContent = "";
  const body = JSON.stringify({
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });
  try {
    const response = await fetch("/api/v1/session", {
      method: "POST", headers: {"Content-Type": "application/json"}, body, credentials: "same-origin",
    });
    if (response.ok) { window.location.assign("/"); return; }
    const problem = await response.json();
    error.textContent = problem.error ? problem.error.message : "log-in failed";
  } catch (exc) {
    error.textContent = "the server cannot be reached";
  }
});
