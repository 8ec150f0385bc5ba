<?php
// Trimmed stand-in of the Laravel skeleton's public/index.php.
define('LARAVEL_START', microtime(true));
require __DIR__.'/../vendor/autoload.php';
$app = require_once __DIR__.'/../bootstrap/app.php';
