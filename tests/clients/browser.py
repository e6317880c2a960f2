"""The plan map in headless Chromium: load, search 工业机器人, click it, check that the
evidence is highlighted in the source text, run a named query, save a screenshot.

Usage: python browser.py BASE_URL SCREENSHOT_PATH
"""
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, screenshot = sys.argv[1], sys.argv[2]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
             f"--user-data-dir={tempfile.mkdtemp()}"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 20)
try:
    driver.get(base)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#map svg")))
    print("map loaded")
    box = driver.find_element(By.ID, "search")
    box.send_keys("工业机器人")
    result = wait.until(EC.element_to_be_clickable((By.XPATH, "//ul[@id='results']/li[starts-with(normalize-space(.), '工业机器人')]")))
    result.click()
    mark = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#source mark#highlight")))
    assert mark.text == "工业机器人", mark.text
    print("evidence highlighted:", mark.text)
    named = wait.until(EC.element_to_be_clickable((By.XPATH, "//div[@id='named']/button[.='targets-by-deadline']")))
    named.click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#table tr")) > 1)
    rows = len(driver.find_elements(By.CSS_SELECTOR, "#table tr")) - 1
    assert rows == 5, rows
    print("named query ran:", rows, "rows")
    # A click on a node of the map shows its facts.
    node = driver.find_element(By.CSS_SELECTOR, "#map g.node")
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", node)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#details table.facts")))
    print("node click shows facts")
    driver.save_screenshot(screenshot)
    print("screenshot:", screenshot)
finally:
    driver.quit()
