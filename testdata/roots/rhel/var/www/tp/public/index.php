<?php
// [ 应用入口文件 ] (trimmed stand-in of ThinkPHP 5.0's public/index.php)
define('APP_PATH', __DIR__ . '/../application/');
require __DIR__ . '/../thinkphp/start.php';
